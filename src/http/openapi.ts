import swagger from '@fastify/swagger'
import apiReference from '@scalar/fastify-api-reference'
import type { FastifyInstance } from 'fastify'
import { LoginResponse } from '../modules/auth/index.ts'
import { CardStatusSchema } from '../modules/cards/index.ts'
import { PublicClient } from '../modules/clients/index.ts'
import {
  ConsentAuditRecordSchema,
  ConsentLinkSchema,
  ConsentSchema,
  ConsentSetSchema,
} from '../modules/consent/index.ts'
import { Readiness } from '../modules/health/index.ts'
import { OAuthErrorBody, OAuthTokenRequest, OAuthTokens } from '../modules/oauth/index.ts'
import {
  AddressResult,
  OnboardingResult,
  OnboardingStatus,
  PersonalDetailsBody,
} from '../modules/onboarding/index.ts'
import { LegalLinks, SignUpFormRules, SignUpSettings } from '../modules/settings/index.ts'
import { UserSchema } from '../modules/users/index.ts'
import {
  ReasonSchema,
  SessionLimitErrorBody,
  SessionLinkSchema,
  SessionSchema,
} from '../modules/verification/index.ts'
import {
  WebhookAttemptSchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
  WebhookEndpointWithKeySchema,
  WebhookEventSchema,
  WebhookEventStatusSchema,
} from '../modules/webhooks/index.ts'
import { ConsentErrorBody, ErrorBody, HtmlPage, SuccessBody, ValidationErrorBody } from './schemas.ts'

/**
 * Every named schema (`$id`), registered once before the routes that `ref()` them. Each becomes one
 * entry of components.schemas, so an SDK generator makes one type of it, named after the `$id`.
 */
const COMPONENT_SCHEMAS = [
  OAuthErrorBody,
  OAuthTokenRequest,
  OAuthTokens,
  ErrorBody,
  ValidationErrorBody,
  ConsentErrorBody,
  HtmlPage,
  SuccessBody,
  Readiness,
  PublicClient,
  LegalLinks,
  SignUpFormRules,
  SignUpSettings,
  UserSchema,
  PersonalDetailsBody,
  OnboardingResult,
  AddressResult,
  OnboardingStatus,
  LoginResponse,
  SessionLinkSchema,
  SessionLimitErrorBody,
  ReasonSchema,
  SessionSchema,
  WebhookEndpointSchema,
  WebhookEndpointWithKeySchema,
  WebhookAttemptSchema,
  WebhookEventSchema,
  WebhookDeliverySchema,
  WebhookEventStatusSchema,
  ConsentLinkSchema,
  ConsentSchema,
  ConsentSetSchema,
  ConsentAuditRecordSchema,
  CardStatusSchema,
]

/**
 * The OpenAPI 3.1 document is generated from the route schemas (never written by hand) and served at
 * /openapi.json; /docs renders it with Scalar from files bundled in the npm package.
 */
export const registerOpenApi = async (app: FastifyInstance, publicUrl: string): Promise<void> => {
  for (const schema of COMPONENT_SCHEMAS) app.addSchema(schema)
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
