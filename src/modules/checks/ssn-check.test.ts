import { describe, expect, it } from 'vitest'
import { ssnCheck } from './ssn-check.ts'
import { checkContext } from './test-context.ts'

const run = (ssn: string | null, asSubmitted = true) =>
  ssnCheck.run(checkContext({ region: 'us', ssn: { ssn, asSubmitted } }))

describe('the SSN check', () => {
  it('applies to live us submissions only', () => {
    expect(ssnCheck.appliesTo(checkContext({ region: 'us' }))).toBe(true)
    expect(ssnCheck.appliesTo(checkContext({ region: 'intl' }))).toBe(false)
    expect(ssnCheck.appliesTo(checkContext({ region: 'us', sandbox: true }))).toBe(false)
  })

  it('passes a structurally valid SSN still as submitted, keeping only its last four digits', async () => {
    const finding = await run('772123456')
    expect(finding).toEqual({
      outcome: 'pass',
      evidence: { ssnGiven: true, last4: '3456', structure: 'valid', asSubmitted: true },
    })
    expect(JSON.stringify(finding)).not.toContain('772123456')
  })

  it('refuses an SSN the SSA never issued or voided', async () => {
    expect(await run('666123456')).toMatchObject({ outcome: 'fail', reason: 'SSN_INVALID' })
    expect(await run('078051120')).toMatchObject({ outcome: 'fail', reason: 'SSN_INVALID' })
  })

  it('sends a placeholder, a missing SSN or one changed since submission to a person', async () => {
    expect(await run('123456789')).toMatchObject({
      outcome: 'inconclusive',
      evidence: { structure: 'placeholder' },
    })
    expect(await run(null)).toMatchObject({ outcome: 'inconclusive', evidence: { ssnGiven: false } })
    expect(await run('772123456', false)).toMatchObject({ outcome: 'inconclusive', reason: 'SSN_MISMATCH' })
  })
})
