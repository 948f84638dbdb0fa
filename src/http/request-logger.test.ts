import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../lib/logger.ts'
import { bindToRequestLog, RequestLogger } from './request-logger.ts'

const capture = (level: string) => {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).trim().split('\n')) lines.push(JSON.parse(line))
      done()
    },
  })
  return { lines, logger: createLogger(level, sink) }
}

describe('RequestLogger', () => {
  it('writes the request id and every binding gathered before the first line', () => {
    const { lines, logger } = capture('info')
    const log = RequestLogger.forRequest(logger, { requestId: 'req_1' }, {})
    bindToRequestLog(log, { clientId: 'cli_1' })
    bindToRequestLog(log, { userId: 'usr_1' })
    log.info({ route: '/v1/user' }, 'request completed')
    bindToRequestLog(log, { later: true })
    log.warn('second')
    expect(lines).toMatchObject([
      { requestId: 'req_1', clientId: 'cli_1', userId: 'usr_1', route: '/v1/user', msg: 'request completed' },
      { requestId: 'req_1', clientId: 'cli_1', userId: 'usr_1', later: true, msg: 'second', level: 40 },
    ])
  })

  it('writes nothing below the level and still redacts what it writes', () => {
    const { lines, logger } = capture('warn')
    const log = RequestLogger.forRequest(logger, { requestId: 'req_2' }, {})
    log.info('not written')
    log.debug({ a: 1 }, 'not written')
    log.error({ password: 'hunter2', token: 'tok' }, 'failed')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ password: '[redacted]', token: '[redacted]', msg: 'failed', level: 50 })
    expect(log.level).toBe('warn')
  })

  it('gives a route with its own level a real child at once', () => {
    const { lines, logger } = capture('info')
    const log = RequestLogger.forRequest(logger, { requestId: 'req_3' }, { level: 'warn' })
    expect(log).not.toBeInstanceOf(RequestLogger)
    log.info('quiet route')
    bindToRequestLog(log, { clientId: 'cli_3' })
    log.warn('loud')
    expect(lines).toMatchObject([{ requestId: 'req_3', clientId: 'cli_3', msg: 'loud' }])
    expect(lines).toHaveLength(1)
  })

  it('makes children that keep the request bindings', () => {
    const { lines, logger } = capture('info')
    const log = RequestLogger.forRequest(logger, { requestId: 'req_4' }, {})
    bindToRequestLog(log, { clientId: 'cli_4' })
    log.child({ component: 'x' }).info('from child')
    expect(lines).toMatchObject([{ requestId: 'req_4', clientId: 'cli_4', component: 'x' }])
  })
})
