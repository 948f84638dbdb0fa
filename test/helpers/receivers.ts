import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { eventually } from './databases.ts'

export type Received = { to: string; text: string }

const codeIn = (text: string): string | undefined => /verification code is (\d{6})/.exec(text)?.[1]

/** A real SMTP server on loopback that keeps every message it accepts. */
export const startSmtpReceiver = async () => {
  const messages: Received[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = ''
      stream.on('data', (chunk: Buffer) => {
        raw += chunk.toString('utf8')
      })
      stream.on('end', () => {
        for (const recipient of session.envelope.rcptTo) messages.push({ to: recipient.address, text: raw })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** Waits for the newest code mailed to `to`. */
    codeFor: (to: string) =>
      eventually(() => {
        const code = codeIn(messages.filter((message) => message.to === to).at(-1)?.text ?? '')
        if (!code) throw new Error(`no code mailed to ${to} yet`)
        return code
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** An HTTP SMS gateway on loopback that checks the bearer token and keeps every message. */
export const startSmsReceiver = async (token: string) => {
  const messages: Received[] = []
  const server: Server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk
    })
    request.on('end', () => {
      if (request.headers.authorization !== `Bearer ${token}`) {
        response.writeHead(401).end()
        return
      }
      const { to, body: text } = JSON.parse(body) as { to: string; body: string }
      messages.push({ to, text })
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"queued":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/sms`,
    messages,
    /** Waits for the newest code texted to `to`; with `after`, for one newer than the first `after` texts. */
    codeFor: (to: string, after = 0) =>
      eventually(() => {
        const sent = messages.filter((message) => message.to === to)
        const code = sent.length > after ? codeIn(sent.at(-1)?.text ?? '') : undefined
        if (!code) throw new Error(`no new code texted to ${to} yet`)
        return code
      }),
    countTo: (to: string) => messages.filter((message) => message.to === to).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
