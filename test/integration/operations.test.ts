import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrations } from '../../src/db/migrations/index.ts'
import { pruneJobsJob } from '../../src/jobs/maintenance.ts'
import { enqueueJob } from '../../src/jobs/queue.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'

describe.each(DIALECTS)('operations endpoints (%s)', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp(dialect)
  })
  afterAll(() => t.close())

  it('/healthz answers while the process lives', async () => {
    const response = await t.app.inject('/healthz')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
  })

  it('/readyz reports each region database as reachable and migrated', async () => {
    const response = await t.app.inject('/readyz')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      status: 'ready',
      regions: {
        intl: { dialect, database: 'ok', pendingMigrations: [] },
        us: { dialect, database: 'ok', pendingMigrations: [] },
      },
    })
  })

  it('/metrics exposes request latency by route and the job queue by region', async () => {
    await t.app.inject('/healthz')
    await enqueueJob(t.runtime.databases.byRegion.us.db, t.clock, pruneJobsJob, null)
    const response = await t.app.inject('/metrics')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/plain')
    expect(response.body).toMatch(
      /verity_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/,
    )
    expect(response.body).toContain('verity_jobs{region="us",status="pending"} 1')
    expect(response.body).toContain('verity_jobs{region="intl",status="pending"} 0')
    expect(response.body).toMatch(/verity_jobs_oldest_ready_age_seconds\{region="us"\} \d/)
  })

  it('/openapi.json is an OpenAPI 3.1 document listing every route', async () => {
    const response = await t.app.inject('/openapi.json')
    expect(response.statusCode).toBe(200)
    const document = response.json()
    expect(document.openapi).toBe('3.1.0')
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(operations.sort()).toEqual([
      'DELETE /v1/auth/oauth/revoke',
      'DELETE /v1/webhooks/{id}',
      'DELETE /v2/consent/consentSet/{consentSetId}/consent/{consentId}',
      'GET /console',
      'GET /console/audit',
      'GET /console/cases/{sessionId}',
      'GET /console/cases/{sessionId}/documents/{documentId}',
      'GET /console/cases/{sessionId}/documents/{documentId}/pages/{page}',
      'GET /console/cases/{sessionId}/evidence',
      'GET /console/clients',
      'GET /console/clients/{clientId}',
      'GET /console/dashboard',
      'GET /console/login',
      'GET /console/staff',
      'GET /console/users',
      'GET /console/users/{userId}',
      'GET /healthz',
      'GET /readyz',
      'GET /v1/auth/oauth/authorize/initiate',
      'GET /v1/auth/oauth2/authorize',
      'GET /v1/auth/register',
      'GET /v1/auth/register/settings',
      'GET /v1/auth/register/status/{onboardingId}',
      'GET /v1/auth/settings',
      'GET /v1/card/status',
      'GET /v1/client',
      'GET /v1/sandbox/scenarios',
      'GET /v1/user',
      'GET /v1/user/verification',
      'GET /v1/user/verification/sessions',
      'GET /v1/webhooks',
      'GET /v1/webhooks/events',
      'GET /v1/webhooks/events/{eventId}/logs',
      'GET /v1/webhooks/events/{eventId}/status',
      'GET /v1/webhooks/{id}',
      'GET /v1/webhooks/{id}/logs',
      'GET /v2/consent/onboarding/{onboardingId}',
      'GET /v2/consent/user/{userId}',
      'GET /v2/consent/user/{userId}/audit',
      'GET /verify',
      'GET /verify/feedback/{step}',
      'GET /verify/flow/{step}',
      'GET /verify/status',
      'GET /verify/status.json',
      'GET /verify/{token}',
      'PATCH /v1/client',
      'PATCH /v2/consent/onboarding/{consentSetId}',
      'POST /console/cases/{sessionId}/confirm',
      'POST /console/cases/{sessionId}/decision',
      'POST /console/cases/{sessionId}/withdraw',
      'POST /console/clients',
      'POST /console/clients/{clientId}/disable',
      'POST /console/clients/{clientId}/enable',
      'POST /console/clients/{clientId}/events/{eventId}/replay',
      'POST /console/clients/{clientId}/secret',
      'POST /console/clients/{clientId}/settings',
      'POST /console/clients/{clientId}/webhooks/{endpointId}/activate',
      'POST /console/clients/{clientId}/webhooks/{endpointId}/test',
      'POST /console/login',
      'POST /console/logout',
      'POST /console/users/{userId}/suspension',
      'POST /v1/auth/login',
      'POST /v1/auth/login/otp',
      'POST /v1/auth/logout',
      'POST /v1/auth/oauth/authorize',
      'POST /v1/auth/oauth/token',
      'POST /v1/auth/oauth2/authorize/consent',
      'POST /v1/auth/oauth2/authorize/sign-in',
      'POST /v1/auth/oauth2/revoke',
      'POST /v1/auth/oauth2/token',
      'POST /v1/auth/register/address',
      'POST /v1/auth/register/details',
      'POST /v1/auth/register/email/send',
      'POST /v1/auth/register/email/verify',
      'POST /v1/auth/register/mailing-address',
      'POST /v1/auth/register/personal-details',
      'POST /v1/auth/register/phone/send',
      'POST /v1/auth/register/phone/verify',
      'POST /v1/auth/register/verification',
      'POST /v1/auth/register/verification/start',
      'POST /v1/card/freeze',
      'POST /v1/card/order',
      'POST /v1/card/unfreeze',
      'POST /v1/sandbox/users/{userId}/reset-limits',
      'POST /v1/webhooks',
      'POST /v1/webhooks/events/{eventId}/retry',
      'POST /v1/webhooks/{id}/rotate-key',
      'POST /v1/webhooks/{id}/test',
      'POST /v2/consent/onboarding',
      'POST /verify/challenge',
      'POST /verify/events',
      'POST /verify/flow/{step}',
      'POST /verify/upload/{step}',
      'POST /verify/{token}',
      'PUT /v1/webhooks/{id}',
    ])
    const get = document.paths['/v1/client'].get
    expect(Object.keys(get.responses)).toEqual(
      expect.arrayContaining(['200', '401', '403', '422', '498', '499', '500']),
    )
    const createWebhook = document.paths['/v1/webhooks'].post
    expect(Object.keys(createWebhook.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '422', '498', '499', '500']),
    )
  })

  it('/docs serves the interactive reference from local files', async () => {
    const page = await t.app.inject('/docs/')
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain('/openapi.json')
    const script = await t.app.inject('/docs/js/scalar.js')
    expect(script.statusCode).toBe(200)
  })
})

describe.each(DIALECTS)('readiness before migrations (%s)', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp(dialect, { migrate: false })
  })
  afterAll(() => t.close())

  it('/readyz is 503 and names the pending migrations', async () => {
    const response = await t.app.inject('/readyz')
    expect(response.statusCode).toBe(503)
    expect(response.json().status).toBe('not ready')
    expect(response.json().regions.intl.pendingMigrations).toEqual(Object.keys(migrations))
  })
})
