import { CODE_TTL_MS } from '../codes/service.ts'
import type { Message } from './model.ts'

// One catalogue of outgoing texts, so they can be translated in one place.
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
