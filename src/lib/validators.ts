import countries from 'i18n-iso-countries'
import english from 'i18n-iso-countries/langs/en.json' with { type: 'json' }
import { parsePhoneNumberFromString } from 'libphonenumber-js'

countries.registerLocale(english)

/**
 * Input validators shared by the account routes. Each returns the normalized value, or undefined when
 * the input is not acceptable; callers turn that into a 422 naming the field.
 */

// Practical address syntax (what mail servers accept), not the full RFC 5322 grammar.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/

export const normalizeEmail = (value: string): string | undefined => {
  const email = value.trim().toLowerCase()
  if (email.length > 254 || !EMAIL.test(email)) return undefined
  const [local] = email.split('@')
  if (!local || local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
    return undefined
  return email
}

/** ISO 3166-1 alpha-2, upper case. */
export const normalizeCountry = (value: string): string | undefined => {
  const code = value.trim().toUpperCase()
  return /^[A-Z]{2}$/.test(code) && countries.isValid(code) ? code : undefined
}

export const countryName = (code: string): string => countries.getName(code, 'en') ?? code

export type Phone = { countryCode: string; nationalNumber: string; e164: string }

/** A phone given Baanx-style as `+44` and `7400846282`, valid for its country; normalized to E.164. */
export const normalizePhone = (countryCode: string, nationalNumber: string): Phone | undefined => {
  const dialling = countryCode.trim().replace(/^00/, '+')
  const digits = nationalNumber.replace(/[\s().-]/g, '')
  if (!/^\+[1-9]\d{0,3}$/.test(dialling) || !/^\d{4,15}$/.test(digits)) return undefined
  const parsed = parsePhoneNumberFromString(`${dialling}${digits}`)
  if (!parsed?.isValid()) return undefined
  return {
    countryCode: `+${parsed.countryCallingCode}`,
    nationalNumber: parsed.nationalNumber,
    e164: parsed.number,
  }
}

/** A real calendar date written YYYY-MM-DD. */
export const parseIsoDate = (value: string): { year: number; month: number; day: number } | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim())
  if (!match) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined
  return { year, month, day }
}

/** Whole years between a date of birth and `now` (UTC). */
export const ageOn = (birth: { year: number; month: number; day: number }, now: number): number => {
  const today = new Date(now)
  const [y, m, d] = [today.getUTCFullYear(), today.getUTCMonth() + 1, today.getUTCDate()]
  return y - birth.year - (m < birth.month || (m === birth.month && d < birth.day) ? 1 : 0)
}

/**
 * A US Social Security number, as 9 digits or AAA-GG-SSSS, that the SSA could have issued: area not
 * 000, 666 or 900–999, group not 00, serial not 0000. Normalized to 9 digits.
 */
export const normalizeSsn = (value: string): string | undefined => {
  const trimmed = value.trim()
  if (!/^(\d{9}|\d{3}-\d{2}-\d{4})$/.test(trimmed)) return undefined
  const digits = trimmed.replaceAll('-', '')
  const [area, group, serial] = [digits.slice(0, 3), digits.slice(3, 5), digits.slice(5)]
  if (area === '000' || area === '666' || area.startsWith('9') || group === '00' || serial === '0000')
    return undefined
  return digits
}

export const maskSsn = (lastFour: string): string => `***-**-${lastFour}`

export const US_STATES: readonly { code: string; name: string }[] = [
  ['AL', 'Alabama'],
  ['AK', 'Alaska'],
  ['AZ', 'Arizona'],
  ['AR', 'Arkansas'],
  ['CA', 'California'],
  ['CO', 'Colorado'],
  ['CT', 'Connecticut'],
  ['DE', 'Delaware'],
  ['DC', 'District of Columbia'],
  ['FL', 'Florida'],
  ['GA', 'Georgia'],
  ['HI', 'Hawaii'],
  ['ID', 'Idaho'],
  ['IL', 'Illinois'],
  ['IN', 'Indiana'],
  ['IA', 'Iowa'],
  ['KS', 'Kansas'],
  ['KY', 'Kentucky'],
  ['LA', 'Louisiana'],
  ['ME', 'Maine'],
  ['MD', 'Maryland'],
  ['MA', 'Massachusetts'],
  ['MI', 'Michigan'],
  ['MN', 'Minnesota'],
  ['MS', 'Mississippi'],
  ['MO', 'Missouri'],
  ['MT', 'Montana'],
  ['NE', 'Nebraska'],
  ['NV', 'Nevada'],
  ['NH', 'New Hampshire'],
  ['NJ', 'New Jersey'],
  ['NM', 'New Mexico'],
  ['NY', 'New York'],
  ['NC', 'North Carolina'],
  ['ND', 'North Dakota'],
  ['OH', 'Ohio'],
  ['OK', 'Oklahoma'],
  ['OR', 'Oregon'],
  ['PA', 'Pennsylvania'],
  ['RI', 'Rhode Island'],
  ['SC', 'South Carolina'],
  ['SD', 'South Dakota'],
  ['TN', 'Tennessee'],
  ['TX', 'Texas'],
  ['UT', 'Utah'],
  ['VT', 'Vermont'],
  ['VA', 'Virginia'],
  ['WA', 'Washington'],
  ['WV', 'West Virginia'],
  ['WI', 'Wisconsin'],
  ['WY', 'Wyoming'],
  ['PR', 'Puerto Rico'],
  ['GU', 'Guam'],
  ['VI', 'U.S. Virgin Islands'],
  ['AS', 'American Samoa'],
  ['MP', 'Northern Mariana Islands'],
].map(([code, name]) => ({ code: code as string, name: name as string }))

const US_STATE_CODES = new Set(US_STATES.map((state) => state.code))

export const normalizeUsState = (value: string): string | undefined => {
  const code = value.trim().toUpperCase()
  return US_STATE_CODES.has(code) ? code : undefined
}
