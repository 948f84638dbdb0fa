import type { Transaction } from 'kysely'
import type { Databases, Region } from '../../db/database.ts'
import type { ClientMode, DB } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError, type FieldProblem, throwIfProblems } from '../../lib/errors.ts'
import { newId, newUuid } from '../../lib/ids.ts'
import type { Keys } from '../../lib/keys.ts'
import { generateSecret, hashSecret, secretHint, verifySecret } from '../../lib/tokens.ts'
import { type AuditActor, type AuditDetails, appendAudit } from '../audit/index.ts'
import type { ClientCache } from './cache.ts'
import type { Client, ClientWithSecret } from './model.ts'
import * as repo from './repo.ts'
import {
  parseAllowedOrigins,
  parseClientDocumentTypes,
  parseClientIssuingCountries,
  parseClientRestrictedCountries,
  parseMinimumAge,
  parseName,
  parseRedirectUris,
  parseRegions,
} from './validation.ts'

export type ClientDeps = {
  databases: Databases
  clock: Clock
  keys: Pick<Keys, 'auditChain'>
  clientCache?: ClientCache
}

type ClientAction = 'client.create' | 'client.rotate_secret' | 'client.disable' | 'client.update'

/** Every change to a client is audited in its own transaction (clients live in the home database). */
const audited = (
  deps: ClientDeps,
  trx: Transaction<DB>,
  actor: AuditActor,
  action: ClientAction,
  clientId: string,
  details: AuditDetails = {},
) =>
  appendAudit(deps, deps.databases.home, trx, {
    actor,
    action,
    subject: { type: 'client', id: clientId },
    details,
  })

/** The names of the settings an update gives, for the audit entry (the values are in the client row). */
const fieldsGiven = (input: object): string[] =>
  Object.entries(input)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field)
    .sort()

export type CreateClientInput = {
  name: string
  mode: ClientMode
  regions: readonly string[]
  redirectUris?: readonly string[]
  allowedOrigins?: readonly string[]
  /** Registers it as a public OAuth client (see Client.publicOAuth). */
  publicOAuth?: boolean
}

const secretPrefix = (mode: ClientMode) => (mode === 'live' ? 'vsk_live_' : 'vsk_test_')

export const createClient = async (
  deps: ClientDeps,
  input: CreateClientInput,
  actor: AuditActor,
): Promise<ClientWithSecret> => {
  const { databases, clock } = deps
  const problems: FieldProblem[] = []
  const name = parseName(input.name, problems)
  const regions = parseRegions(input.regions, problems)
  const redirectUris = parseRedirectUris(input.redirectUris ?? [], input.mode, problems)
  const allowedOrigins = parseAllowedOrigins(input.allowedOrigins ?? [], input.mode, problems)
  throwIfProblems(problems)

  const now = clock.now()
  const secretKey = generateSecret(secretPrefix(input.mode))
  const id = newId('client')
  // Clients are tenant-wide, so they live in the home (intl) database whatever regions they serve.
  await databases.home.db.transaction().execute(async (trx) => {
    await repo.insertClient(
      trx,
      {
        id,
        name,
        mode: input.mode,
        regions: JSON.stringify(regions),
        client_key: newUuid(),
        secret_hash: hashSecret(secretKey),
        secret_hint: secretHint(secretKey),
        status: 'active',
        redirect_uris: JSON.stringify(redirectUris),
        public_oauth: input.publicOAuth ? 1 : 0,
        created_at: now,
        updated_at: now,
        secret_rotated_at: now,
        disabled_at: null,
      },
      allowedOrigins,
    )
    await audited(deps, trx, actor, 'client.create', id, {
      mode: input.mode,
      regions,
      publicOAuth: input.publicOAuth === true,
    })
  })
  const client = await repo.findClient(databases.home.db, { id })
  return { client: client as Client, secretKey }
}

export const listClients = ({ databases }: ClientDeps): Promise<Client[]> =>
  repo.listClients(databases.home.db)

/** Finds a client by id, or by its public key (the CLI accepts either). */
export const getClient = async ({ databases }: ClientDeps, idOrKey: string): Promise<Client> => {
  const by = idOrKey.startsWith('cli_') ? { id: idOrKey } : { clientKey: idOrKey }
  const client = await repo.findClient(databases.home.db, by)
  if (!client) throw new AppError('NOT_FOUND', { message: `No client ${idOrKey}` })
  return client
}

/** The active client holding this public key, or undefined for unknown and disabled keys alike. */
export const findActiveClientByKey = async (
  { databases, clientCache }: ClientDeps,
  clientKey: string,
): Promise<Client | undefined> => {
  const cached = clientCache?.get(clientKey)
  if (cached) return cached
  const client = await repo.findClient(databases.home.db, { clientKey })
  if (client?.status !== 'active') return undefined
  clientCache?.set(client)
  return client
}

export const checkSecretKey = async (
  { databases }: ClientDeps,
  client: Client,
  presented: string,
): Promise<boolean> => {
  const stored = await repo.findSecretHash(databases.home.db, client.id)
  return stored !== undefined && verifySecret(presented, stored)
}

/** Issues a new secret key; the old one stops working at once. */
export const rotateClientSecret = async (
  deps: ClientDeps,
  idOrKey: string,
  actor: AuditActor,
): Promise<ClientWithSecret> => {
  const client = await getClient(deps, idOrKey)
  const now = deps.clock.now()
  const secretKey = generateSecret(secretPrefix(client.mode))
  await deps.databases.home.db.transaction().execute(async (trx) => {
    await repo.updateClient(trx, client.id, {
      secret_hash: hashSecret(secretKey),
      secret_hint: secretHint(secretKey),
      secret_rotated_at: now,
      updated_at: now,
    })
    await audited(deps, trx, actor, 'client.rotate_secret', client.id)
  })
  deps.clientCache?.invalidate(client)
  return { client: await getClient(deps, client.id), secretKey }
}

export const disableClient = async (
  deps: ClientDeps,
  idOrKey: string,
  actor: AuditActor,
): Promise<Client> => {
  const client = await getClient(deps, idOrKey)
  if (client.status === 'disabled') return client
  const now = deps.clock.now()
  await deps.databases.home.db.transaction().execute(async (trx) => {
    await repo.updateClient(trx, client.id, { status: 'disabled', disabled_at: now, updated_at: now })
    await audited(deps, trx, actor, 'client.disable', client.id)
  })
  deps.clientCache?.invalidate(client)
  return getClient(deps, client.id)
}

export type ClientSettingsInput = {
  /** Regions to serve; only additions (see below). The client API cannot send it: an operator decides. */
  regions?: readonly string[]
  redirectUris?: readonly string[]
  allowedOrigins?: readonly string[]
  frameAncestors?: readonly string[]
  requireProofOfAddress?: boolean
  returnUrl?: string | null
}

/** Replaces the lists given (a list that is left out stays as it is). */
export const updateClientSettings = async (
  deps: ClientDeps,
  client: Client,
  input: ClientSettingsInput,
  actor: AuditActor,
): Promise<Client> => {
  const problems: FieldProblem[] = []
  const regions = input.regions && parseRegions(input.regions, problems)
  // A client's users, sessions and documents stay in the region they were made in: taking the region
  // away would strand them, so a region is only ever added (a client that must stop is disabled).
  const removed = regions ? client.regions.filter((region) => !regions.includes(region)) : []
  if (removed.length > 0)
    problems.push({
      field: 'regions',
      message: `a region cannot be removed (${removed.join(', ')}): its users' data lives there; disable the client instead`,
    })
  const redirectUris = input.redirectUris && parseRedirectUris(input.redirectUris, client.mode, problems)
  const allowedOrigins =
    input.allowedOrigins && parseAllowedOrigins(input.allowedOrigins, client.mode, problems)
  const frameAncestors =
    input.frameAncestors && parseAllowedOrigins(input.frameAncestors, client.mode, problems, 'frameAncestors')
  const returnUrl =
    input.returnUrl === undefined || input.returnUrl === null
      ? input.returnUrl
      : parseRedirectUris([input.returnUrl], client.mode, problems, 'returnUrl')[0]
  throwIfProblems(problems)
  const now = deps.clock.now()
  await deps.databases.home.db.transaction().execute(async (trx) => {
    await repo.updateClient(trx, client.id, {
      updated_at: now,
      ...(regions ? { regions: JSON.stringify(regions) } : {}),
      ...(redirectUris ? { redirect_uris: JSON.stringify(redirectUris) } : {}),
      ...(frameAncestors ? { frame_ancestors: JSON.stringify(frameAncestors) } : {}),
      ...(input.requireProofOfAddress === undefined
        ? {}
        : { require_proof_of_address: input.requireProofOfAddress ? 1 : 0 }),
      ...(returnUrl === undefined ? {} : { return_url: returnUrl }),
    })
    if (allowedOrigins) await repo.replaceAllowedOrigins(trx, client.id, allowedOrigins)
    await audited(deps, trx, actor, 'client.update', client.id, { fields: fieldsGiven(input) })
  })
  deps.clientCache?.invalidate(client)
  return getClient(deps, client.id)
}

/**
 * What `verity client policy` may change (text as typed; `null` puts a setting back to the region's).
 * A setting left out stays as it is.
 */
export type DocumentPolicyInput = {
  documentTypes?: string | null
  issuingCountries?: string | null
  restrictedCountries?: string
  minimumAge?: number | null
}

/**
 * Sets the client's document acceptance. It can only narrow the region's policy (checks/policy.ts
 * intersects and unites), so a client can never accept what its operator refuses.
 */
export const setClientDocumentPolicy = async (
  deps: ClientDeps,
  idOrKey: string,
  input: DocumentPolicyInput,
  actor: AuditActor,
): Promise<Client> => {
  const client = await getClient(deps, idOrKey)
  const problems: FieldProblem[] = []
  const documentTypes =
    input.documentTypes === undefined ? undefined : parseClientDocumentTypes(input.documentTypes, problems)
  const issuingCountries =
    input.issuingCountries === undefined
      ? undefined
      : parseClientIssuingCountries(input.issuingCountries, problems)
  const restrictedCountries =
    input.restrictedCountries === undefined
      ? undefined
      : parseClientRestrictedCountries(input.restrictedCountries, problems)
  const minimumAge = input.minimumAge === undefined ? undefined : parseMinimumAge(input.minimumAge, problems)
  throwIfProblems(problems)
  const json = (list: string[] | null) => (list === null ? null : JSON.stringify(list))
  await deps.databases.home.db.transaction().execute(async (trx) => {
    await repo.updateClient(trx, client.id, {
      updated_at: deps.clock.now(),
      ...(documentTypes === undefined ? {} : { accepted_document_types: json(documentTypes) }),
      ...(issuingCountries === undefined ? {} : { accepted_issuing_countries: json(issuingCountries) }),
      ...(restrictedCountries === undefined
        ? {}
        : { restricted_countries: JSON.stringify(restrictedCountries) }),
      ...(minimumAge === undefined ? {} : { minimum_age: minimumAge }),
    })
    await audited(deps, trx, actor, 'client.update', client.id, { fields: fieldsGiven(input) })
  })
  deps.clientCache?.invalidate(client)
  return getClient(deps, client.id)
}

export const isOriginAllowedForAnyClient = ({ databases }: ClientDeps, origin: string): Promise<boolean> =>
  repo.isOriginAllowedForAnyClient(databases.home.db, origin)

export const clientServesRegion = (client: Client, region: Region): boolean => client.regions.includes(region)
