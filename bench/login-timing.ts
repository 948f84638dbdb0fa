/**
 * `npm run bench:login-timing`: does a login for an unknown email take as long as a wrong password?
 * (It should: the decoy Argon2 verification exists so that timing does not reveal which emails have
 * accounts.) Interleaves both kinds of failure in-process and prints p50/p90 of each.
 */
import { api, register } from '../test/helpers/accounts.ts'
import { buildTestApp } from '../test/helpers/app.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 60)
const t = await buildTestApp('sqlite')
try {
  const { client } = await t.createClient({ name: 'timing', mode: 'sandbox' })
  await register(
    t.app,
    client.clientKey,
    { email: async () => '000000', sms: async () => '000000' },
    {
      email: 'known@example.com',
      password: 'correct horse battery',
      region: 'intl',
      country: 'GB',
      phone: { countryCode: '+44', number: '7400846282', e164: '+447400846282' },
    },
  )
  const http = api(t.app, client.clientKey)
  const samples: Record<'unknown email' | 'wrong password', number[]> = {
    'unknown email': [],
    'wrong password': [],
  }
  for (let i = 0; i < ROUNDS; i++) {
    for (const [kind, email] of [
      ['unknown email', 'nobody@example.com'],
      ['wrong password', 'known@example.com'],
    ] as const) {
      const started = performance.now()
      // A different source address each time and a clock past any lockout: only the password check is timed.
      await http.post(
        '/v1/auth/login',
        { email, password: `wrong-${i}` },
        { 'x-forwarded-for': `10.0.${i % 250}.1` },
      )
      samples[kind].push(performance.now() - started)
      t.clock.advance(16 * 60 * 1000)
    }
  }
  for (const [kind, values] of Object.entries(samples)) {
    values.sort((a, b) => a - b)
    const at = (q: number) => (values[Math.floor(values.length * q)] as number).toFixed(1)
    process.stdout.write(
      `${kind.padEnd(15)} p50 ${at(0.5)} ms  p90 ${at(0.9)} ms  (${values.length} logins)\n`,
    )
  }
} finally {
  await t.close()
}
