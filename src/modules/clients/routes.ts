import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { REGIONS } from '../../db/database.ts'
import { CLIENT_MODES } from '../../db/schema.ts'
import {
  clientErrorResponses,
  errorResponse,
  NullableString,
  RegionHeaders,
  RegionQuery,
  ref,
  StringEnum,
} from '../../http/schemas.ts'
import { clientScope } from '../../http/scope.ts'
import { AppError } from '../../lib/errors.ts'
import type { Client } from './model.ts'
import { type ClientDeps, checkSecretKey, updateClientSettings } from './service.ts'

export const PublicClient = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    mode: StringEnum(CLIENT_MODES),
    regions: Type.Array(StringEnum(REGIONS)),
    region: StringEnum(REGIONS, { description: 'The region this request was routed to.' }),
    secretKeyVerified: Type.Boolean({ description: 'True when a valid x-secret-key came with the request.' }),
    redirectUris: Type.Optional(
      Type.Array(Type.String(), { description: 'Only with a valid x-secret-key.' }),
    ),
    allowedOrigins: Type.Optional(
      Type.Array(Type.String(), { description: 'Only with a valid x-secret-key.' }),
    ),
    frameAncestors: Type.Optional(
      Type.Array(Type.String(), { description: 'Only with a valid x-secret-key.' }),
    ),
    requireProofOfAddress: Type.Optional(Type.Boolean({ description: 'Only with a valid x-secret-key.' })),
    returnUrl: Type.Optional(NullableString({ description: 'Only with a valid x-secret-key.' })),
    secretHint: Type.Optional(
      Type.String({ description: 'Last characters of the secret key; only with x-secret-key.' }),
    ),
  },
  { $id: 'Client' },
)

const SettingsBody = Type.Object(
  {
    redirectUris: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
        maxItems: 20,
        description: 'Exact OAuth redirect URIs. https, an app scheme, or http://localhost in sandbox.',
      }),
    ),
    allowedOrigins: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
        maxItems: 20,
        description: 'Browser origins (https://app.example.com) allowed to call the API with this key.',
      }),
    ),
    frameAncestors: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
        maxItems: 20,
        description:
          'Origins allowed to embed the hosted verification pages in an iframe or webview (CSP frame-ancestors). Empty: no embedding.',
      }),
    ),
    requireProofOfAddress: Type.Optional(
      Type.Boolean({
        description: 'Ask every user for a proof of address (always asked in the us region).',
      }),
    ),
    returnUrl: Type.Optional(
      NullableString({
        minLength: 1,
        maxLength: 2048,
        description:
          'Link offered on the last hosted page ("Return to the app"): https, or an app link. null removes it.',
      }),
    ),
  },
  { minProperties: 1 },
)

const present = (client: Client, region: string, secretKeyVerified: boolean) => ({
  id: client.id,
  name: client.name,
  mode: client.mode,
  regions: client.regions,
  region,
  secretKeyVerified,
  ...(secretKeyVerified
    ? {
        redirectUris: client.redirectUris,
        allowedOrigins: client.allowedOrigins,
        frameAncestors: client.frameAncestors,
        requireProofOfAddress: client.requireProofOfAddress,
        returnUrl: client.returnUrl,
        secretHint: client.secretHint,
      }
    : {}),
})

/**
 * The client's own settings. GET lets an integrator check a key (and the region routing) before writing
 * any other call; with a valid x-secret-key it also shows the server-side settings, and a wrong secret
 * is a 401, never a silent downgrade. PATCH (secret required) changes redirect URIs, CORS origins and the hosted pages' settings.
 */
export const clientRoutes = (deps: ClientDeps) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/v1/client',
    {
      schema: {
        operationId: 'getClient',
        tags: ['client'],
        summary: 'The client identified by x-client-key',
        security: [{ clientKey: [] }, { clientKey: [], secretKey: [] }],
        headers: Type.Object({
          ...RegionHeaders.properties,
          'x-secret-key': Type.Optional(Type.String({ description: 'Optional; adds server-side settings.' })),
        }),
        querystring: RegionQuery,
        response: {
          200: ref(PublicClient),
          401: errorResponse('x-secret-key was sent but is wrong.'),
          ...clientErrorResponses,
        },
      },
    },
    async (request) => {
      const client = clientScope(request).client
      const presented = request.headers['x-secret-key']
      if (presented === undefined) return present(client, request.region, false)
      if (typeof presented !== 'string' || !(await checkSecretKey(deps, client, presented.trim()))) {
        throw new AppError('INVALID_SECRET_KEY')
      }
      return present(client, request.region, true)
    },
  )

  app.patch(
    '/v1/client',
    {
      config: { clientAuth: 'client+secret' },
      schema: {
        operationId: 'updateClient',
        tags: ['client'],
        summary: "Change the client's redirect URIs, browser origins or hosted-page settings",
        security: [{ clientKey: [], secretKey: [] }],
        headers: RegionHeaders,
        querystring: RegionQuery,
        body: SettingsBody,
        response: {
          200: ref(PublicClient),
          400: errorResponse('Malformed JSON body.'),
          401: errorResponse('Missing or wrong x-secret-key.'),
          413: errorResponse('Request body too large.'),
          ...clientErrorResponses,
        },
      },
    },
    async (request) => {
      const { client: caller } = clientScope(request)
      // Authenticated by its own secret key: the client is who changed its settings.
      // Only the settings a client may change itself: regions (data residency) are the operator's.
      const { redirectUris, allowedOrigins, frameAncestors, requireProofOfAddress, returnUrl } = request.body
      const { client } = await updateClientSettings(
        deps,
        caller,
        { redirectUris, allowedOrigins, frameAncestors, requireProofOfAddress, returnUrl },
        `client:${caller.id}`,
      )
      return present(client, request.region, true)
    },
  )
}
