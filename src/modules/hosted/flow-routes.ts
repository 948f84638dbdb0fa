import multipart from '@fastify/multipart'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Databases } from '../../db/database.ts'
import { CHALLENGE_STEPS } from '../../db/schema.ts'
import { errorResponse, StringEnum } from '../../http/schemas.ts'
import { AppError, isAppError } from '../../lib/errors.ts'
import { type Html, htmlResponse, sendPage } from '../../web/page.ts'
import { en } from '../../web/strings.ts'
import {
  type AnswerableChallenge,
  accountRefusal,
  answerChallenge,
  CAMERA_EVENTS,
  type Capture,
  type CaptureDeps,
  canOpen,
  chooseDocument,
  DOCUMENT_TYPES,
  FORM_STEPS,
  formToken,
  giveConsent,
  giveSsn,
  type IssuedChallenge,
  loadFlow,
  MAX_CHALLENGE_FRAMES,
  nextStep,
  recordEvent,
  requireAnswerableChallenge,
  requireFormToken,
  SLOT_OF_STEP,
  STATUS_PHASES,
  STEPS,
  type Step,
  statusOf,
  storeUpload,
  submit,
  UPLOAD_STEPS,
  type UploadStep,
  wrongFrameCount,
} from '../capture/index.ts'
import { uploadFeedbackFor } from '../checks/index.ts'
import type { Client } from '../clients/index.ts'
import { getClient } from '../clients/index.ts'
import { MAX_UPLOAD_BYTES } from '../documents/index.ts'
import { countryList } from '../settings/index.ts'
import { browserSession, type ClaimDeps } from './claims.ts'
import { sendErrorPage, sendHostedError, wantsJson } from './errors.ts'
import {
  consentPage,
  documentPage,
  introPage,
  reviewPage,
  ssnPage,
  statusPage,
  statusTitle,
  stepTitle,
  stepUrl,
  uploadPage,
} from './pages.ts'
import { FLOW_SCRIPT_PATH, flowScript } from './script.ts'

/** The cookie that holds this browser's claim of a session (see claims.ts). */
export const BROWSER_COOKIE = 'verity_session'

export type HostedDeps = Omit<CaptureDeps, 'config'> &
  ClaimDeps & {
    databases: Databases
    config: CaptureDeps['config'] & { PRIVACY_URL?: string | undefined }
  }

const pageResponses = {
  403: htmlResponse('The account cannot be verified (suspended user or disabled client), or CSRF refused'),
  404: htmlResponse('No verification session in this browser'),
  410: htmlResponse('The session expired'),
}

const StepParams = Type.Object({ step: StringEnum(STEPS) })
const FormStepParams = Type.Object({ step: StringEnum(FORM_STEPS) })
const UploadStepParams = Type.Object({ step: StringEnum(UPLOAD_STEPS) })
const FormBody = Type.Object({
  csrf: Type.String({ maxLength: 100 }),
  consent: Type.Optional(Type.Literal('yes')),
  documentType: Type.Optional(StringEnum(DOCUMENT_TYPES)),
  issuingCountry: Type.Optional(Type.String({ maxLength: 2 })),
  ssn: Type.Optional(Type.String({ maxLength: 20 })),
})
const EventBody = Type.Object({ csrf: Type.String({ maxLength: 100 }), type: StringEnum(CAMERA_EVENTS) })

/** Where the page posts the frames of a selfie's active challenge. */
const CHALLENGE_PATH = '/verify/challenge'

const ChallengeAnswer = Type.Object(
  {
    id: Type.String({ description: 'Sent back with the frames (`challenge`)' }),
    steps: Type.Array(StringEnum(CHALLENGE_STEPS), {
      minItems: 2,
      maxItems: 3,
      description: "Head poses to ask for, in order; `left`/`right` are the user's own",
    }),
    answerBy: Type.Integer({ description: 'Epoch milliseconds; frames arriving later are refused' }),
    csrf: Type.String({ description: 'The CSRF token of the frames upload' }),
    url: Type.Literal(CHALLENGE_PATH),
  },
  { description: "The selfie's active challenge (selfie uploads only)" },
)

/**
 * The hosted verification flow, for the browser that claimed the session (its cookie). Every page
 * works without JavaScript; forms post back and are answered with a redirect to the next step, or the
 * same page with the problem explained. The script's uploads ask for JSON instead.
 */
export const flowRoutes = (deps: HostedDeps) => async (fastify: FastifyInstance) => {
  await fastify.register(multipart, {
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 2, parts: 3, fieldSize: 200, headerPairs: 50 },
  })
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  const send = (reply: FastifyReply, status: number, title: string, body: Html, client?: Client) =>
    sendPage(reply, status, {
      title,
      body,
      scriptFiles: [FLOW_SCRIPT_PATH],
      frameAncestors: client?.frameAncestors,
    })

  type Held = Capture & { state: 'open' | 'submitted' }

  /** The session this browser holds, or the error (page or JSON) that says why there is none. */
  const hold = async (request: FastifyRequest, reply: FastifyReply): Promise<Held | undefined> => {
    const held = await browserSession(deps, request.cookies[BROWSER_COOKIE])
    if (held.state === 'none' || held.state === 'expired') {
      await sendHostedError(
        request,
        reply,
        new AppError(held.state === 'none' ? 'NO_BROWSER_SESSION' : 'SESSION_EXPIRED'),
      )
      return undefined
    }
    const client = await getClient(deps, held.session.client_id)
    const refusal = accountRefusal(held.user, client)
    if (refusal) {
      await sendHostedError(request, reply, refusal)
      return undefined
    }
    return { ...held, client }
  }

  /** A step's page; a refused form comes back as its page with the problem, at the error's status. */
  const renderStep = async (reply: FastifyReply, capture: Capture, step: Step, refused?: AppError) => {
    const error = refused?.publicMessage
    const status = refused?.status ?? 200
    const view = await loadFlow(deps, capture)
    const page = {
      facts: view.facts,
      csrf: formToken(deps, capture, view, step),
      error,
      client: capture.client,
    }
    const countries = () => countryList(capture.database.region)
    let body: Html
    if (step === 'consent') body = consentPage({ ...page, privacyUrl: deps.config.PRIVACY_URL })
    else if (step === 'document')
      body = documentPage({
        ...page,
        countries: countries().map((country) => ({ code: country.iso3166alpha2, name: country.name })),
        suggestedCountry: capture.user.country_of_residence,
      })
    else if (step === 'ssn') body = ssnPage(page)
    else if (step === 'review')
      body = reviewPage({
        ...page,
        countryName:
          countries().find((country) => country.iso3166alpha2 === view.facts.issuingCountry)?.name ?? null,
      })
    else body = uploadPage({ ...page, step, next: nextStep(view.facts) })
    return send(reply, status, stepTitle(step, error), body, capture.client)
  }

  /** Answers a refused form: the same page with the message (or JSON for the script), never a 500. */
  const refuse = async (
    request: FastifyRequest,
    reply: FastifyReply,
    capture: Capture,
    step: Step,
    error: unknown,
  ) => {
    const problem = toAppError(error)
    if (!problem) throw error
    if (wantsJson(request)) return sendHostedError(request, reply, problem)
    if (problem.code === 'ALREADY_SUBMITTED' || problem.code === 'FLOW_STEP_MISSING')
      return sendErrorPage(reply, problem)
    if (!canOpen(step, (await loadFlow(deps, capture)).facts))
      return sendErrorPage(reply, problem, 'FLOW_STEP_MISSING')
    if (problem.headers) reply.headers(problem.headers)
    return renderStep(reply, capture, step, problem)
  }

  /** A stored selfie, to the script: where to go once its challenge is answered, and the challenge. */
  const sendChallenge = async (reply: FastifyReply, capture: Capture, challenge: IssuedChallenge) => {
    const view = await loadFlow(deps, capture)
    return reply.code(200).send({
      next: stepUrl(nextStep(view.facts)),
      challenge: { ...challenge, csrf: formToken(deps, capture, view, 'challenge'), url: CHALLENGE_PATH },
    })
  }

  const accepted = async (request: FastifyRequest, reply: FastifyReply, capture: Capture, step: Step) => {
    const next =
      step === 'review' ? '/verify/status' : stepUrl(nextStep((await loadFlow(deps, capture)).facts))
    if (wantsJson(request)) return reply.code(200).send({ next })
    return reply.code(303).header('cache-control', 'no-store').redirect(next, 303)
  }

  app.get(
    '/verify',
    {
      schema: {
        operationId: 'getVerificationIntro',
        tags: ['hosted pages'],
        summary: 'Start of the verification flow: why, what to prepare, how long it takes',
        response: {
          200: htmlResponse('The introduction'),
          303: htmlResponse('To the status page'),
          ...pageResponses,
        },
      },
    },
    async (request, reply) => {
      const capture = await hold(request, reply)
      if (!capture) return reply
      if (capture.state === 'submitted') return reply.redirect('/verify/status', 303)
      const view = await loadFlow(deps, capture)
      return send(
        reply,
        200,
        en.readyTitle,
        introPage(capture.session.expires_at, nextStep(view.facts)),
        capture.client,
      )
    },
  )

  app.get(
    '/verify/flow/:step',
    {
      schema: {
        operationId: 'getVerificationStep',
        tags: ['hosted pages'],
        summary: 'One step of the flow (an earlier step left undone redirects there)',
        params: StepParams,
        response: {
          200: htmlResponse('The step'),
          303: htmlResponse('Elsewhere in the flow'),
          ...pageResponses,
        },
      },
    },
    async (request, reply) => {
      const capture = await hold(request, reply)
      if (!capture) return reply
      if (capture.state === 'submitted') return reply.redirect('/verify/status', 303)
      const view = await loadFlow(deps, capture)
      if (!canOpen(request.params.step, view.facts)) return reply.redirect(stepUrl(nextStep(view.facts)), 303)
      return renderStep(reply, capture, request.params.step)
    },
  )

  app.post(
    '/verify/flow/:step',
    {
      attachValidation: true,
      schema: {
        operationId: 'submitVerificationStep',
        tags: ['hosted pages'],
        summary: 'Answer a form step (consent, document choice, SSN) or submit for verification (review)',
        params: FormStepParams,
        body: FormBody,
        consumes: ['application/x-www-form-urlencoded'],
        response: {
          303: htmlResponse('On to the next step (or the status page after submission)'),
          409: htmlResponse('An earlier step is missing, or already submitted'),
          422: htmlResponse('The answer is not valid; the page says why'),
          ...pageResponses,
        },
      },
    },
    async (request, reply) => {
      const capture = await hold(request, reply)
      if (!capture) return reply
      const { step } = request.params
      try {
        if (capture.state === 'submitted') throw new AppError('ALREADY_SUBMITTED')
        const view = await loadFlow(deps, capture)
        if (!canOpen(step, view.facts)) throw new AppError('FLOW_STEP_MISSING')
        requireFormToken(deps, capture, view, step, (request.body as { csrf?: unknown } | undefined)?.csrf)
        const body = request.validationError ? undefined : request.body
        const revision = view.progress.revision
        if (step === 'consent') {
          if (body?.consent !== 'yes') throw new AppError('VALIDATION_ERROR', { message: en.consentRequired })
          await giveConsent(deps, capture, revision)
        } else if (step === 'document') {
          if (!body?.documentType)
            throw new AppError('VALIDATION_ERROR', { message: en.documentTypeRequired })
          await chooseDocument(deps, capture, revision, {
            documentType: body.documentType,
            issuingCountry: body.issuingCountry ?? '',
          })
        } else if (step === 'ssn') {
          await giveSsn(deps, capture, revision, body?.ssn ?? '')
        } else {
          await submit(deps, capture, revision)
        }
      } catch (error) {
        return refuse(request, reply, capture, step, error)
      }
      return accepted(request, reply, capture, step)
    },
  )

  app.post(
    '/verify/upload/:step',
    {
      schema: {
        operationId: 'uploadVerificationFile',
        tags: ['hosted pages'],
        summary: 'Upload the photo (or PDF) of a step, as multipart/form-data: `csrf` first, then `file`',
        description: `At most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB. The type is read from the bytes: JPEG, PNG, WebP, HEIC/HEIF photos; PDF for proof of address.`,
        params: UploadStepParams,
        consumes: ['multipart/form-data'],
        response: {
          200: Type.Object(
            { next: Type.String(), challenge: Type.Optional(ChallengeAnswer) },
            { description: 'With Accept: application/json' },
          ),
          303: htmlResponse('On to the next step'),
          409: htmlResponse('An earlier step is missing, or already submitted'),
          413: htmlResponse('Larger than 15 MB'),
          415: htmlResponse('Not multipart/form-data'),
          422: htmlResponse('Not a usable photo or document; the page says why'),
          429: htmlResponse('Too many uploads in this session'),
          503: htmlResponse('Too many photos being processed; try again after Retry-After seconds'),
          ...pageResponses,
        },
      },
    },
    async (request, reply) => {
      const capture = await hold(request, reply)
      if (!capture) return reply
      const step = request.params.step as UploadStep
      let challenge: IssuedChallenge | undefined
      try {
        if (capture.state === 'submitted') throw new AppError('ALREADY_SUBMITTED')
        if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE')
        const part = await request.file()
        const view = await loadFlow(deps, capture)
        if (!canOpen(step, view.facts)) throw new AppError('FLOW_STEP_MISSING')
        const csrf = part?.fields.csrf
        requireFormToken(deps, capture, view, step, csrf && 'value' in csrf ? csrf.value : undefined)
        if (part?.fieldname !== 'file') throw new AppError('UNSUPPORTED_UPLOAD', { message: en.fileRequired })
        const bytes = await part.toBuffer()
        challenge = (await storeUpload(deps, capture, view, step, bytes)).challenge
      } catch (error) {
        return refuse(request, reply, capture, step, error)
      }
      if (challenge && wantsJson(request)) return sendChallenge(reply, capture, challenge)
      return accepted(request, reply, capture, step)
    },
  )

  app.post(
    CHALLENGE_PATH,
    {
      schema: {
        operationId: 'answerSelfieChallenge',
        tags: ['hosted pages'],
        summary: "Upload the frames of the selfie's active challenge, as multipart/form-data",
        description: `The page script's request (answers are JSON). Parts in this order: \`csrf\` (from the selfie upload's \`challenge\`), \`challenge\` (its id), then one \`frame\` per step in the challenge's order (${MAX_CHALLENGE_FRAMES} at most). Each frame as any photo: at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB, JPEG, PNG, WebP or HEIC, decoded and re-encoded, counted against the session's upload budget.`,
        consumes: ['multipart/form-data'],
        response: {
          200: Type.Object({ next: Type.String() }),
          400: errorResponse(
            'CHALLENGE_UNKNOWN: not a challenge of this session; CHALLENGE_FRAMES: not one frame per step',
          ),
          403: errorResponse('CSRF refused, or the account cannot be verified'),
          404: errorResponse('No verification session in this browser'),
          409: errorResponse(
            'CHALLENGE_ANSWERED, CHALLENGE_REPLACED (a newer selfie), CHALLENGE_EXPIRED, ALREADY_SUBMITTED, FLOW_STEP_MISSING, UPLOAD_IN_PROGRESS',
          ),
          410: errorResponse('The session expired'),
          413: errorResponse('A frame larger than 15 MB, or too many parts'),
          415: errorResponse('Not multipart/form-data'),
          422: errorResponse('A frame is not a usable photo'),
          429: errorResponse('Too many uploads in this session'),
          503: errorResponse('Too many photos being processed; try again after Retry-After seconds'),
        },
      },
    },
    async (request, reply) => {
      // Only the page script posts here: every answer is JSON.
      request.headers.accept = 'application/json'
      const capture = await hold(request, reply)
      if (!capture) return reply
      try {
        if (capture.state === 'submitted') throw new AppError('ALREADY_SUBMITTED')
        if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE')
        const view = await loadFlow(deps, capture)
        if (!canOpen('selfie', view.facts)) throw new AppError('FLOW_STEP_MISSING')
        const fields: Record<string, string> = {}
        const frames: Buffer[] = []
        let challenge: AnswerableChallenge | undefined
        // The challenge and the token are checked once the fields are in, before any frame is read.
        const requireAnswerable = async () => {
          if (challenge) return challenge
          challenge = await requireAnswerableChallenge(deps, capture, fields.challenge)
          requireFormToken(deps, capture, view, 'challenge', fields.csrf)
          return challenge
        }
        const parts = request.parts({
          limits: { files: MAX_CHALLENGE_FRAMES + 1, fields: 2, parts: MAX_CHALLENGE_FRAMES + 3 },
        })
        for await (const part of parts) {
          if (part.type === 'field') {
            if (challenge) throw new AppError('BAD_REQUEST', { message: en.challengeFieldsFirst })
            fields[part.fieldname] = String(part.value)
            continue
          }
          const { steps } = await requireAnswerable()
          if (part.fieldname !== 'frame' || frames.length >= steps.length) throw wrongFrameCount(steps)
          frames.push(await part.toBuffer())
        }
        await answerChallenge(deps, capture, view, await requireAnswerable(), frames)
      } catch (error) {
        const problem = toAppError(error)
        if (!problem) throw error
        return sendHostedError(request, reply, problem)
      }
      const next = stepUrl(nextStep((await loadFlow(deps, capture)).facts))
      return reply.code(200).send({ next })
    },
  )

  app.post(
    '/verify/events',
    {
      schema: {
        operationId: 'recordCameraEvent',
        tags: ['hosted pages'],
        summary: 'Record a camera problem seen by the selfie page on the session',
        body: EventBody,
        response: { 204: Type.Null(), ...pageResponses },
      },
    },
    async (request, reply) => {
      const capture = await hold(request, reply)
      if (!capture) return reply
      if (capture.state === 'submitted') return reply.code(204).send(null)
      const view = await loadFlow(deps, capture)
      requireFormToken(deps, capture, view, 'selfie', request.body.csrf)
      await recordEvent(deps, capture, request.body.type)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/verify/status',
    {
      schema: {
        operationId: 'getVerificationStatusPage',
        tags: ['hosted pages'],
        summary: 'Where the submitted verification stands; the page follows the decision by itself',
        response: {
          200: htmlResponse('The status'),
          303: htmlResponse('Not submitted yet: the flow'),
          ...pageResponses,
        },
      },
    },
    async (request, reply) => {
      const capture = await hold(request, reply)
      if (!capture) return reply
      if (capture.state !== 'submitted') return reply.redirect('/verify', 303)
      const status = statusOf(capture)
      return send(reply, 200, statusTitle(status), statusPage(status, capture.client), capture.client)
    },
  )

  app.get(
    '/verify/status.json',
    {
      schema: {
        operationId: 'getVerificationStatus',
        tags: ['hosted pages'],
        summary: 'The status page polls this',
        response: {
          200: Type.Object({
            phase: StringEnum(STATUS_PHASES),
            reasons: Type.Array(Type.Object({ message: Type.String() })),
            done: Type.Boolean(),
          }),
          403: errorResponse('The account cannot be verified (suspended user or disabled client)'),
          404: errorResponse('No verification session in this browser'),
          409: errorResponse('Not submitted yet'),
          410: errorResponse('The session expired'),
        },
      },
    },
    async (request, reply) => {
      request.headers.accept = 'application/json'
      const capture = await hold(request, reply)
      if (!capture) return reply
      if (capture.state !== 'submitted') return sendHostedError(request, reply, new AppError('NOT_SUBMITTED'))
      const status = statusOf(capture)
      return reply.header('cache-control', 'no-store').send({
        phase: status.phase,
        reasons: status.reasons.map((reason) => ({ message: reason.message })),
        done: status.phase === 'approved' || status.phase === 'rejected' || status.phase === 'resubmit',
      })
    },
  )

  app.get(
    '/verify/feedback/:step',
    {
      schema: {
        operationId: 'getUploadFeedback',
        tags: ['hosted pages'],
        summary: "What the fast checks said about the step's photo: the page polls this after an upload",
        description:
          '`pending` until the worker has looked (usually within a second or two), then `ok`, or `retake` with the reason to show. `none` when the step has no photo, the session was submitted, or the client is in sandbox mode.',
        params: UploadStepParams,
        response: {
          200: Type.Object({
            status: StringEnum(['none', 'pending', 'ok', 'retake'] as const),
            reasonCode: Type.Optional(Type.String()),
            message: Type.Optional(Type.String()),
          }),
          403: errorResponse('The account cannot be verified (suspended user or disabled client)'),
          404: errorResponse('No verification session in this browser'),
          410: errorResponse('The session expired'),
        },
      },
    },
    async (request, reply) => {
      request.headers.accept = 'application/json'
      const capture = await hold(request, reply)
      if (!capture) return reply
      reply.header('cache-control', 'no-store')
      // Sandbox uploads get no feedback (their scenario decides), nor does a submitted session.
      if (capture.state === 'submitted' || capture.client.mode === 'sandbox')
        return reply.send({ status: 'none' })
      const slot = SLOT_OF_STEP[request.params.step as UploadStep]
      const feedback = await uploadFeedbackFor(capture.database.db, capture.session.id, slot)
      return reply.send(
        feedback.status === 'retake'
          ? { status: 'retake', reasonCode: feedback.reason.code, message: feedback.reason.message }
          : { status: feedback.status },
      )
    },
  )

  app.get(
    FLOW_SCRIPT_PATH,
    { schema: { tags: ['hosted pages'], summary: 'The script of the hosted pages', hide: true } },
    async (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(await flowScript()),
  )
}

/**
 * A refusal the page can explain: an AppError, or the multipart parser's own errors (a file too
 * large, a broken upload). Anything else is a fault, for the server's error handler.
 */
const toAppError = (error: unknown): AppError | undefined => {
  if (isAppError(error)) return error
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'FST_REQ_FILE_TOO_LARGE')
    return new AppError('PAYLOAD_TOO_LARGE', { message: en.fileTooLarge, cause: error })
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode
  if (typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number')
    // The parser's own status, through the catalogue: too many parts or files is 413, a body that is
    // not multipart at all 415 (the parser says 406), anything broken 400.
    return new AppError(
      statusCode === 413
        ? 'PAYLOAD_TOO_LARGE'
        : code === 'FST_INVALID_MULTIPART_CONTENT_TYPE'
          ? 'UNSUPPORTED_MEDIA_TYPE'
          : 'BAD_REQUEST',
      { message: en.uploadFailed, cause: error },
    )
  return undefined
}
