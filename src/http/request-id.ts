import type { IncomingMessage } from 'node:http'
import { newId } from '../lib/ids.ts'

const ACCEPTABLE = /^[A-Za-z0-9._:-]{8,64}$/

/**
 * Reuses a caller's `x-request-id` when it looks like an id (so one id follows a call across a
 * client's systems and ours), otherwise mints `req_<ulid>`. Anything else is ignored rather than
 * logged, so a header cannot inject text into our logs.
 */
export const requestIdFor = (request: IncomingMessage): string => {
  const incoming = request.headers['x-request-id']
  if (typeof incoming === 'string' && ACCEPTABLE.test(incoming)) return incoming
  return newId('request')
}
