import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { registerSerialization } from './serialization.ts'

const Address = {
  $id: 'Address',
  type: 'object',
  properties: { city: { type: 'string' }, zip: { type: 'string' } },
}
const Person = {
  $id: 'Person',
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer' }, home: { $ref: 'Address#' } },
}
const Unrelated = { $id: 'Unrelated', type: 'object', properties: { x: { type: 'number' } } }

const PAYLOAD = {
  name: 'Ada',
  age: '36',
  secret: 'never serialized',
  home: { city: 'Leeds', zip: 'LS1', extra: true },
}

/** One app with the shared schemas and routes answering PAYLOAD: the default compiler, or ours. */
const appWith = async (ours: boolean): Promise<FastifyInstance> => {
  const app = Fastify()
  if (ours) registerSerialization(app)
  for (const schema of [Address, Person, Unrelated]) app.addSchema(schema)
  const respond = async () => PAYLOAD
  app.get('/ref', { schema: { response: { 200: { $ref: 'Person#' } } } }, respond)
  app.get('/again', { schema: { response: { 200: { $ref: 'Person#' } } } }, respond)
  app.get(
    '/inline',
    {
      schema: {
        response: {
          200: { type: 'object', properties: { name: { type: 'string' }, home: { $ref: 'Address' } } },
        },
      },
    },
    respond,
  )
  app.get(
    '/pointer',
    {
      schema: {
        response: { 200: { type: 'object', properties: { name: { $ref: 'Person#/properties/name' } } } },
      },
    },
    respond,
  )
  await app.ready()
  return app
}

describe('registerSerialization', () => {
  it('answers byte for byte what Fastify’s own compiler answers, GET and HEAD', async () => {
    const [standard, ours] = await Promise.all([appWith(false), appWith(true)])
    for (const url of ['/ref', '/again', '/inline', '/pointer'])
      for (const method of ['GET', 'HEAD'] as const) {
        const [expected, actual] = await Promise.all([
          standard.inject({ method, url }),
          ours.inject({ method, url }),
        ])
        expect(actual.statusCode).toBe(200)
        expect(actual.body).toBe(expected.body)
        expect(actual.headers['content-length']).toBe(expected.headers['content-length'])
      }
    expect(JSON.parse((await ours.inject('/ref')).body)).toEqual({
      name: 'Ada',
      age: 36,
      home: { city: 'Leeds', zip: 'LS1' },
    })
  })

  it('refuses at start a response that names a schema nobody added, as Fastify does', async () => {
    const app = Fastify()
    registerSerialization(app)
    app.addSchema(Address)
    app.get('/', { schema: { response: { 200: { $ref: 'Missing#' } } } }, async () => ({}))
    await expect(app.ready()).rejects.toThrow(/Missing/)
  })
})
