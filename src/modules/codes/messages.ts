import type { Message } from '../messaging/index.ts'
import { CODE_TTL_MS } from './service.ts'

// The texts that carry a code, in one place so they can be translated together. Messaging only
// transports them.
const minutes = Math.round(CODE_TTL_MS / 60_000)

export const codeEmail = (to: string, code: string): Message => ({
  channel: 'email',
  to,
  subject: `Your verification code: ${code}`,
  text: [
    `Your verification code is ${code}.`,
    '',
    `It expires in ${minutes} minutes and can be used once.`,
    'If you did not ask for it, you can ignore this message: nothing happens without the code.',
  ].join('\n'),
})

export const codeSms = (to: string, code: string): Message => ({
  channel: 'sms',
  to,
  text: `Your verification code is ${code}. It expires in ${minutes} minutes. Never share it.`,
})
