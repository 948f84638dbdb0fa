import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import {
  CONSENT_AUDIT_ACTIONS,
  CONSENT_POLICY_TYPES,
  CONSENT_STATUSES,
  CONSENT_TYPES,
  type ConsentAuditRow,
} from '../../db/schema.ts'
import { consentErrorResponse, NullableString, RegionHeaders, ref, StringEnum } from '../../http/schemas.ts'
import { clientScope } from '../../http/scope.ts'
import { isoTime } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import type { ClientScope } from '../clients/index.ts'
import type { ConsentDeps, ConsentSetState, Observed, WriteCredential } from './service.ts'
import * as service from './service.ts'

const Metadata = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Free-form (at most 4 KB as JSON); ipAddress, userAgent, timestamp and clientId are recorded.',
})
const NullableObject = Type.Unsafe<Record<string, unknown> | null>({
  type: ['object', 'null'],
  additionalProperties: true,
})

export const ConsentLinkSchema = Type.Object(
  { href: Type.String(), method: StringEnum(['GET', 'PATCH', 'DELETE']) },
  { $id: 'ConsentLink' },
)
const Link = ref(ConsentLinkSchema)

export const ConsentSchema = Type.Object(
  {
    consentId: Type.String({ format: 'uuid' }),
    consentType: StringEnum(CONSENT_TYPES),
    consentStatus: StringEnum(CONSENT_STATUSES),
    metadata: Metadata,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Consent', description: 'The current answer of one consent type (a revocation is a new record).' },
)

export const ConsentSetSchema = Type.Object(
  {
    consentSetId: Type.String({ format: 'uuid' }),
    userId: NullableString({ description: 'null until the set is linked to its user.' }),
    onboardingId: Type.String(),
    tenantId: Type.String({ description: 'The client id.' }),
    policyType: StringEnum(CONSENT_POLICY_TYPES),
    consentStatus: StringEnum(['complete', 'incomplete'], {
      description: 'complete: every consent the policy requires is answered and the mandatory ones granted.',
    }),
    completedAt: NullableString({ format: 'date-time', description: 'When the set was linked to its user.' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    consents: Type.Array(ref(ConsentSchema)),
  },
  { $id: 'ConsentSet' },
)

export const ConsentAuditRecordSchema = Type.Object(
  {
    auditId: Type.String({ format: 'uuid' }),
    action: StringEnum(CONSENT_AUDIT_ACTIONS),
    timestamp: Type.String({ format: 'date-time' }),
    consentSetId: Type.String({ format: 'uuid' }),
    consentId: NullableString({ description: 'The record written (null for a link).' }),
    changes: Type.Object({ before: NullableObject, after: Type.Record(Type.String(), Type.Unknown()) }),
    metadata: Metadata,
  },
  { $id: 'ConsentAuditRecord' },
)

const CreateBody = Type.Object({
  onboardingId: Type.String({ minLength: 1, maxLength: 100 }),
  tenantId: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The client: its id, or its client key (as MetaMask sends it).',
  }),
  policyType: StringEnum(CONSENT_POLICY_TYPES),
  consents: Type.Array(
    Type.Object({
      consentType: Type.String({ maxLength: 100, description: `One of ${CONSENT_TYPES.join(', ')}.` }),
      consentStatus: StringEnum(['granted', 'denied']),
      metadata: Type.Optional(Metadata),
    }),
    { minItems: 1, maxItems: 20 },
  ),
  metadata: Type.Optional(Metadata),
})
const LinkBody = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 100 }) })

const OnboardingParams = Type.Object({ onboardingId: Type.String({ maxLength: 100 }) })
const SetParams = Type.Object({ consentSetId: Type.String({ maxLength: 100 }) })
const UserParams = Type.Object({ userId: Type.String({ maxLength: 100 }) })
const RevokeParams = Type.Object({
  consentSetId: Type.String({ maxLength: 100 }),
  consentId: Type.String({ maxLength: 100 }),
})
const RegionOnly = {
  region: Type.Optional(Type.String({ description: '"us" is an alternative to x-us-env: true.' })),
}
const UserQuery = Type.Object({
  ...RegionOnly,
  full: Type.Optional(Type.Boolean({ description: 'true adds the consent sets.' })),
})
const AuditQuery = Type.Object({
  ...RegionOnly,
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  // Above this both databases fail on the OFFSET (a 500); no user has that many audit records.
  offset: Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 }),
})
const RegionQuery = Type.Object(RegionOnly)

const Headers = Type.Object({
  ...RegionHeaders.properties,
  'x-secret-key': Type.Optional(Type.String({ description: "The client's secret key." })),
})

const common = {
  400: consentErrorResponse('Validation error (each problem in details), or malformed JSON.'),
  403: consentErrorResponse('The client is not enabled for the requested region.'),
  498: consentErrorResponse('Invalid client key.'),
  499: consentErrorResponse('Missing client key.'),
  500: consentErrorResponse('Internal server error (details only in the logs, under the x-request-id).'),
}
const secretErrors = { ...common, 401: consentErrorResponse('Missing or wrong x-secret-key.') }
const userErrors = {
  ...common,
  401: consentErrorResponse(
    'Neither a valid x-secret-key nor a valid bearer token of a user of this client.',
  ),
  403: consentErrorResponse('The bearer token belongs to another client, or its user is suspended.'),
}

const regionSuffix = (scope: ClientScope) => (scope.region === 'us' ? '?region=us' : '')
const links = (scope: ClientScope) => ({
  onboarding: (onboardingId: string) => ({
    href: `/v2/consent/onboarding/${encodeURIComponent(onboardingId)}${regionSuffix(scope)}`,
    method: 'GET' as const,
  }),
  user: (userId: string, full = false) => ({
    href: `/v2/consent/user/${encodeURIComponent(userId)}${full ? '?full=true' : ''}${
      scope.region === 'us' ? `${full ? '&' : '?'}region=us` : ''
    }`,
    method: 'GET' as const,
  }),
  audit: (userId: string) => ({
    href: `/v2/consent/user/${encodeURIComponent(userId)}/audit${regionSuffix(scope)}`,
    method: 'GET' as const,
  }),
})

const presentSet = (state: ConsentSetState) => ({
  consentSetId: state.set.id,
  userId: state.link?.user_id ?? null,
  onboardingId: state.set.onboarding_id,
  tenantId: state.set.client_id,
  policyType: state.set.policy_type,
  consentStatus: state.evaluation.complete ? ('complete' as const) : ('incomplete' as const),
  completedAt: isoTime(state.link?.linked_at ?? null),
  createdAt: isoTime(state.set.created_at),
  updatedAt: isoTime(state.updatedAt),
  consents: state.current.map((record) => ({
    consentId: record.id,
    consentType: record.consent_type,
    consentStatus: record.status,
    metadata: JSON.parse(record.metadata) as Record<string, unknown>,
    createdAt: isoTime(record.created_at),
    updatedAt: isoTime(record.created_at),
  })),
})

const presentAudit = (record: ConsentAuditRow) => ({
  auditId: record.id,
  action: record.action,
  timestamp: isoTime(record.created_at),
  consentSetId: record.consent_set_id,
  consentId: record.consent_id,
  changes: {
    before: record.before === null ? null : (JSON.parse(record.before) as Record<string, unknown>),
    after: JSON.parse(record.after) as Record<string, unknown>,
  },
  metadata: JSON.parse(record.metadata) as Record<string, unknown>,
})

const observedOf = (request: FastifyRequest): Observed => {
  const userAgent = request.headers['user-agent']
  return { ipAddress: request.ip, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 500) : null }
}

/**
 * client-auth.ts let the write through on a public client's key given as its secret exactly when the
 * header holds that key (a secret, vsk_…, is never a client key, a UUID).
 */
const writeCredentialOf = (request: FastifyRequest, scope: ClientScope): WriteCredential => {
  const given = request.headers['x-secret-key']
  const secretKey = (Array.isArray(given) ? given[0] : given)?.trim()
  return scope.client.publicOAuth && secretKey === scope.client.clientKey ? 'public-key' : 'secret'
}

/**
 * A user's own bearer token reads only that user's consent; to anyone else the user's consent does not
 * exist (as another client's does not).
 */
const requireReader = (request: FastifyRequest, userId: string) => {
  if (request.user && request.user.id !== userId)
    throw new AppError('CONSENT_NOT_FOUND', {
      body: { details: [`No consent sets found for userId '${userId}'`] },
    })
}

/**
 * Consent Management API v2 (Baanx). Writes need x-secret-key (a public client's may be its client key:
 * the onboarding id and consent set id it must also give are what authorize them); a consent set read by
 * onboarding id needs the client key only (the onboarding id is the credential, as on the registration
 * steps); a user's consent and audit need the secret key or that user's bearer token. Everything is
 * read and written in the region the request is routed to, for this client only: another client's or
 * region's consent set is 404.
 */
export const consentRoutes = (deps: ConsentDeps) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['consent']
  const secretConfig = { clientAuth: 'client+secret-or-public-key' as const }
  const secretSecurity = [{ clientKey: [], secretKey: [] }]
  const userSecurity: Array<Record<string, string[]>> = [
    { clientKey: [], secretKey: [] },
    { clientKey: [], bearer: [] },
  ]

  app.post(
    '/v2/consent/onboarding',
    {
      config: secretConfig,
      schema: {
        tags,
        operationId: 'createOnboardingConsent',
        summary: "Record a user's consent answers during onboarding",
        security: secretSecurity,
        headers: Headers,
        querystring: RegionQuery,
        body: CreateBody,
        response: {
          201: Type.Object({
            ...ConsentSetSchema.properties,
            _links: Type.Object({ self: Link, link: Link }),
          }),
          404: consentErrorResponse('No valid onboarding with this onboardingId for this client and region.'),
          413: consentErrorResponse('Request body too large.'),
          ...secretErrors,
        },
      },
    },
    async (request, reply) => {
      const scope = clientScope(request)
      const state = await service.createConsentSet(deps, scope, request.body, observedOf(request))
      return reply.code(201).send({
        ...presentSet(state),
        _links: {
          self: links(scope).onboarding(state.set.onboarding_id),
          link: {
            href: `/v2/consent/onboarding/${state.set.id}${regionSuffix(scope)}`,
            method: 'PATCH' as const,
          },
        },
      })
    },
  )

  app.get(
    '/v2/consent/onboarding/:onboardingId',
    {
      schema: {
        tags,
        operationId: 'getOnboardingConsent',
        summary: 'The consent sets recorded for an onboarding id',
        security: [{ clientKey: [] }],
        headers: RegionHeaders,
        params: OnboardingParams,
        querystring: RegionQuery,
        response: {
          200: Type.Object({
            onboardingId: Type.String(),
            consentSets: Type.Array(ref(ConsentSetSchema)),
            _links: Type.Object({ self: Link }),
          }),
          404: consentErrorResponse(
            'No consent sets for this onboardingId (for this client and region), or the id is no longer valid.',
          ),
          ...common,
        },
      },
    },
    async (request) => {
      const scope = clientScope(request)
      const { onboardingId } = request.params
      const states = await service.consentSetsOfOnboarding(deps, scope, onboardingId)
      return {
        onboardingId,
        consentSets: states.map(presentSet),
        _links: { self: links(scope).onboarding(onboardingId) },
      }
    },
  )

  app.patch(
    '/v2/consent/onboarding/:consentSetId',
    {
      config: secretConfig,
      schema: {
        tags,
        operationId: 'linkUserToConsent',
        summary: 'Link a consent set to the user who completed the onboarding',
        security: secretSecurity,
        headers: Headers,
        params: SetParams,
        querystring: RegionQuery,
        body: LinkBody,
        response: {
          200: Type.Object({
            consentSetId: Type.String({ format: 'uuid' }),
            userId: Type.String(),
            useId: Type.String({ description: 'userId again: MetaMask reads this misspelling.' }),
            completedAt: Type.String({ format: 'date-time' }),
            consentSet: ref(ConsentSetSchema),
          }),
          404: consentErrorResponse(
            "No such consent set for this client and region (with a public client's key as the secret: or its onboarding id is no longer valid), or the user is not its onboarding's user.",
          ),
          413: consentErrorResponse('Request body too large.'),
          ...secretErrors,
        },
      },
    },
    async (request) => {
      const scope = clientScope(request)
      const state = await service.linkConsentSet(
        deps,
        scope,
        request.params.consentSetId,
        request.body.userId,
        observedOf(request),
        writeCredentialOf(request, scope),
      )
      const userId = state.link?.user_id as string
      return {
        consentSetId: state.set.id,
        userId,
        useId: userId,
        completedAt: isoTime(state.link?.linked_at as number),
        consentSet: presentSet(state),
      }
    },
  )

  app.get(
    '/v2/consent/user/:userId',
    {
      config: { clientAuth: 'client+secret-or-user' },
      schema: {
        tags,
        operationId: 'getUserConsent',
        summary: "A user's consent status (full=true adds the consent sets)",
        security: userSecurity,
        headers: Headers,
        params: UserParams,
        querystring: UserQuery,
        response: {
          200: Type.Object({
            userId: Type.String(),
            consentStatus: StringEnum(['complete', 'incomplete'], {
              description: 'Of the consent set the user was linked to last.',
            }),
            _links: Type.Object({ self: Link, full: Link, audit: Link }),
            consentSets: Type.Optional(Type.Array(ref(ConsentSetSchema))),
          }),
          404: consentErrorResponse('No consent set linked to this user (for this client and region).'),
          ...userErrors,
        },
      },
    },
    async (request) => {
      const scope = clientScope(request)
      const { userId } = request.params
      requireReader(request, userId)
      const states = await service.consentSetsOfUser(scope, userId)
      return {
        userId,
        consentStatus: service.userConsentComplete(states) ? ('complete' as const) : ('incomplete' as const),
        _links: {
          self: links(scope).user(userId),
          full: links(scope).user(userId, true),
          audit: links(scope).audit(userId),
        },
        ...(request.query.full ? { consentSets: states.map(presentSet) } : {}),
      }
    },
  )

  app.get(
    '/v2/consent/user/:userId/audit',
    {
      config: { clientAuth: 'client+secret-or-user' },
      schema: {
        tags,
        operationId: 'getUserConsentAudit',
        summary: "The append-only audit of a user's consent sets, oldest first",
        security: userSecurity,
        headers: Headers,
        params: UserParams,
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            userId: Type.String(),
            auditRecords: Type.Array(ref(ConsentAuditRecordSchema)),
          }),
          404: consentErrorResponse('No consent set linked to this user (for this client and region).'),
          ...userErrors,
        },
      },
    },
    async (request) => {
      const { userId } = request.params
      requireReader(request, userId)
      const records = await service.consentAuditOfUser(clientScope(request), userId, request.query)
      return { userId, auditRecords: records.map(presentAudit) }
    },
  )

  app.delete(
    '/v2/consent/consentSet/:consentSetId/consent/:consentId',
    {
      config: secretConfig,
      schema: {
        tags,
        operationId: 'revokeConsent',
        summary: 'Revoke one consent of a set (a new revoked record; nothing is changed in place)',
        security: secretSecurity,
        headers: Headers,
        params: RevokeParams,
        querystring: RegionQuery,
        response: {
          200: Type.Object({
            consentId: Type.String({ format: 'uuid', description: 'The new (revoked) record.' }),
            consentSetId: Type.String({ format: 'uuid' }),
            consentType: StringEnum(CONSENT_TYPES),
            consentStatus: Type.Literal('revoked'),
            revocationTimestamp: Type.String({ format: 'date-time' }),
            _links: Type.Object({
              consentSet: Link,
              audit: Type.Optional(Link),
            }),
          }),
          404: consentErrorResponse(
            "No such consent set (with a public client's key as the secret: or its onboarding id is no longer valid), or no such consent in it, or it is already revoked.",
          ),
          ...secretErrors,
        },
      },
    },
    async (request) => {
      const scope = clientScope(request)
      const { consentSetId, consentId } = request.params
      const { set, link, revoked } = await service.revokeConsent(
        deps,
        scope,
        consentSetId,
        consentId,
        observedOf(request),
        writeCredentialOf(request, scope),
      )
      return {
        consentId: revoked.id,
        consentSetId: revoked.consent_set_id,
        consentType: revoked.consent_type,
        consentStatus: 'revoked' as const,
        revocationTimestamp: isoTime(revoked.created_at),
        _links: {
          consentSet: links(scope).onboarding(set.onboarding_id),
          ...(link ? { audit: links(scope).audit(link.user_id) } : {}),
        },
      }
    },
  )
}
