import swagger from '@fastify/swagger'
import apiReference from '@scalar/fastify-api-reference'
import type { FastifyInstance } from 'fastify'
import { UserSchema } from '../modules/users/index.ts'
import { ErrorBody, ValidationErrorBody } from './schemas.ts'

/**
 * The OpenAPI 3.1 document is generated from the route schemas (never written by hand) and served at
 * /openapi.json; /docs renders it with Scalar from files bundled in the npm package.
 */
export const registerOpenApi = async (app: FastifyInstance, publicUrl: string): Promise<void> => {
  app.addSchema(ErrorBody)
  app.addSchema(ValidationErrorBody)
  app.addSchema(UserSchema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Verity API',
        version: '0.1.0',
        description:
          'Identity verification with a Baanx-compatible user API. Every /v1 call needs `x-client-key`; `x-us-env: true` routes to the us region.',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          clientKey: { type: 'apiKey', in: 'header', name: 'x-client-key' },
          secretKey: { type: 'apiKey', in: 'header', name: 'x-secret-key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => (json.$id as string) ?? `def-${index}`,
    },
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  await app.register(apiReference, {
    routePrefix: '/docs',
    logLevel: 'warn',
    configuration: { url: '/openapi.json', withDefaultFonts: false, hideClientButton: true },
  })
}
