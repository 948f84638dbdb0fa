import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { Webhook } from 'standardwebhooks'
import type { Databases, RegionDatabase } from '../../src/db/database.ts'
import type { VerificationState } from '../../src/db/schema.ts'
import type { Clock } from '../../src/lib/clock.ts'
import { lockUser } from '../../src/modules/users/index.ts'
import { newUserRow } from '../../src/modules/users/repo.ts'
import { applyVerificationEvent, type VerificationChanges } from '../../src/modules/verification/index.ts'
import { reason } from '../../src/modules/verification/reasons.ts'

export type Delivery = { headers: IncomingHttpHeaders; body: string; at: number }
/** What the receiver does with the n-th request (0-based): answer, or leave the request hanging. */
export type Behaviour = (request: Delivery, index: number, response: ServerResponse) => void

export const answer =
  (status: number, headers: Record<string, string> = {}, body = ''): Behaviour =>
  (_request, _index, response) => {
    response.writeHead(status, headers).end(body)
  }

/** A webhook receiver on loopback (a random port) that keeps every request it gets, raw. */
export const startReceiver = async (behaviour: Behaviour = answer(200)) => {
  const deliveries: Delivery[] = []
  let current = behaviour
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const delivery = {
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      }
      deliveries.push(delivery)
      current(delivery, deliveries.length - 1, response)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    deliveries,
    set behaviour(next: Behaviour) {
      current = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The Baanx recipe: hex HMAC-SHA256(key, timestamp + "." + rawBody), compared in constant time. */
export const baanxValid = (
  key: string,
  headers: IncomingHttpHeaders,
  body: string,
  header = 'x-signature',
) => {
  const expected = createHmac('sha256', key).update(`${headers['x-timestamp']}.${body}`).digest()
  const given = Buffer.from(String(headers[header] ?? ''), 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** Verifies with the standardwebhooks package exactly as a receiver would; returns the parsed body. */
export const standardVerify = (secret: string, delivery: Delivery) =>
  new Webhook(secret).verify(delivery.body, {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  })

export const management = (app: FastifyInstance, clientKey: string, secretKey: string) => {
  const headers = { 'x-client-key': clientKey, 'x-secret-key': secretKey }
  return {
    request: (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
      app.inject({ method, url, headers, ...(payload ? { payload } : {}) }),
    create: async (body: Record<string, unknown>) => {
      const response = await app.inject({ method: 'POST', url: '/v1/webhooks', headers, payload: body })
      if (response.statusCode !== 201)
        throw new Error(`create webhook: ${response.statusCode} ${response.body}`)
      return response.json().data as { id: string; apiKey: string; standardWebhooksSecret: string }
    },
  }
}

/** A user of the client in the given region database, with no verification yet. */
export const insertUser = async (database: RegionDatabase, clientId: string, now: number) => {
  const id = randomUUID()
  await database.db
    .insertInto('app_user')
    .values(
      newUserRow({
        id,
        client_id: clientId,
        onboarding_id: randomUUID(),
        email: `${id}@example.com`,
        password_hash: 'x',
        country_of_residence: 'GB',
        created_at: now,
      }),
    )
    .execute()
  return id
}

/** Moves an intl user through the real state writer: submitted, then (optionally) decided. */
export const changeState = async (
  deps: { databases: Databases; clock: Clock; verificationChanges: VerificationChanges },
  userId: string,
  step: 'submitted' | Extract<VerificationState, 'VERIFIED' | 'REJECTED'>,
) => {
  const database = deps.databases.byRegion.intl
  return database.db.transaction().execute(async (trx) => {
    const user = await lockUser(database, trx, userId)
    if (!user) throw new Error(`no user ${userId}`)
    return applyVerificationEvent(trx, deps, {
      database,
      user,
      event: step === 'submitted' ? { type: 'submitted' } : { type: 'decided', decision: step },
      sessionId: null,
      reasons: step === 'REJECTED' ? [reason('FACE_MISMATCH')] : [],
    })
  })
}
