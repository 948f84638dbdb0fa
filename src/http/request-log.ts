import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

/** URL for the logs: path only. Query strings can carry codes and tokens, so they never reach a log line. */
export const loggableUrl = (url: string): string => url.split('?', 1)[0] ?? url

/**
 * One log line per request, written when it completes, with no headers, bodies or query strings
 * (Fastify's default would log the raw URL on arrival).
 */
export class RequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'requestId' })
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: loggableUrl(request.url),
      route: request.routeOptions.url,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    }
    if (error) request.log.error({ ...line, err: error }, 'request errored')
    else request.log.info(line, 'request completed')
  }
}
