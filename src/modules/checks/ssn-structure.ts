/**
 * What the digits of an SSN say on their own (no registry is consulted).
 *
 * - `invalid`: never issued. The SSA assigns no area 000, 666 or 900–999, no group 00 and no serial
 *   0000 (SSA, "Social Security Number Randomization", ssa.gov/employer/randomization.html; still so
 *   after the 2011 randomization), and it voided the two numbers it saw used by thousands: 078-05-1120,
 *   printed on the sample card sold in Woolworth wallets from 1938, and 219-09-9999, from a 1940 SSA
 *   pamphlet (SSA History, "Social Security Cards Issued by Woolworth", ssa.gov/history/ssn/misused.html).
 * - `placeholder`: what people type to get past a form — 123-45-6789 and nine equal digits. The SSA
 *   does not list them as unissuable (its own advice: any number not starting with 000 "could
 *   potentially be a valid SSN", POMS RM 10201.020), so they are not refused: a person looks at them.
 * - `valid`: any other nine digits.
 */
export type SsnStructure = 'valid' | 'invalid' | 'placeholder'

const VOIDED = new Set(['078051120', '219099999'])

export const ssnStructure = (ssn: string): SsnStructure => {
  if (!/^\d{9}$/.test(ssn)) return 'invalid'
  const [area, group, serial] = [ssn.slice(0, 3), ssn.slice(3, 5), ssn.slice(5)]
  if (area === '000' || area === '666' || area.startsWith('9') || group === '00' || serial === '0000')
    return 'invalid'
  if (VOIDED.has(ssn)) return 'invalid'
  if (ssn === '123456789' || /^(\d)\1{8}$/.test(ssn)) return 'placeholder'
  return 'valid'
}
