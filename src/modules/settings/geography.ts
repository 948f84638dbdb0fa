import { createHash } from 'node:crypto'
import countries from 'i18n-iso-countries'
import { getCountries, getCountryCallingCode } from 'libphonenumber-js'
import type { Region } from '../../db/database.ts'
import { countryName, US_STATES } from '../../lib/validators.ts'

/**
 * Countries where nobody may sign up: jurisdictions under comprehensive sanctions (OFAC/EU/UN). The
 * operator's screening lists decide about people; this list decides about countries of residence.
 */
export const BLOCKED_COUNTRIES: ReadonlySet<string> = new Set(['CU', 'IR', 'KP', 'SY'])

/** A residence country can sign up in the region that serves it: US residents in us, everyone else in intl. */
export const canSignUpIn = (region: Region, country: string): boolean =>
  region === 'us' ? country === 'US' : country !== 'US' && !BLOCKED_COUNTRIES.has(country)

// Stable UUIDs (v5 layout over SHA-1) so that a country's id never changes between releases.
const stableUuid = (name: string): string => {
  const bytes = createHash('sha1').update(`verity:${name}`).digest().subarray(0, 16)
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const dialling = new Map(getCountries().map((code) => [code as string, getCountryCallingCode(code)]))

export const countryList = (region: Region) =>
  Object.keys(countries.getAlpha2Codes())
    .filter((code) => dialling.has(code))
    .map((code) => ({
      id: stableUuid(`country:${code}`),
      iso3166alpha2: code,
      name: countryName(code),
      callingCode: dialling.get(code) as string,
      canSignUp: canSignUpIn(region, code),
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'))

export const usStateList = (region: Region) =>
  US_STATES.map((state) => ({
    id: stableUuid(`us-state:${state.code}`),
    name: state.name,
    postalAbbreviation: state.code,
    canSignUp: region === 'us',
  }))
