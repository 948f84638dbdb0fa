import { parseCountries, parseDocumentTypes } from '../../config/document-policy.ts'
import { REGIONS, type Region } from '../../db/database.ts'
import type { ClientMode, DocumentType } from '../../db/schema.ts'
import type { FieldProblem } from '../../lib/errors.ts'

const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]'

export const parseRegions = (values: readonly string[], problems: FieldProblem[]): Region[] => {
  const regions = [...new Set(values.map((value) => value.trim().toLowerCase()).filter(Boolean))]
  if (regions.length === 0)
    problems.push({ field: 'regions', message: 'at least one region is required (intl, us)' })
  for (const region of regions) {
    if (!(REGIONS as readonly string[]).includes(region)) {
      problems.push({ field: 'regions', message: `unknown region "${region}" (expected intl or us)` })
    }
  }
  return regions as Region[]
}

/**
 * Redirect URIs are compared exactly at use. Custom schemes (app deep links such as
 * `io.example.app://callback`) are allowed; plain http only for loopback development, and never for
 * live clients, whose codes would otherwise travel in clear.
 */
export const parseRedirectUris = (
  values: readonly string[],
  mode: ClientMode,
  problems: FieldProblem[],
  field: 'redirectUris' | 'returnUrl' = 'redirectUris',
): string[] => {
  const uris: string[] = []
  for (const value of values) {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      problems.push({ field, message: `"${value}" is not an absolute URI` })
      continue
    }
    if (url.hash) problems.push({ field, message: `"${value}" must not contain a fragment` })
    if (url.protocol === 'http:' && (mode === 'live' || !isLoopbackHost(url.hostname))) {
      problems.push({
        field,
        message: `"${value}" must use https (http is allowed only for localhost in sandbox)`,
      })
    }
    if (url.protocol === 'javascript:' || url.protocol === 'data:') {
      problems.push({ field, message: `"${value}" uses a forbidden scheme` })
    }
    uris.push(value)
  }
  return [...new Set(uris)]
}

// DNS labels, or a bracketed IPv6 literal. The URL parser lets `;`, quotes and other characters through
// in a host, and frame ancestors are written into a CSP header, where `;` would start a new directive.
const HOST_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/

const isOriginHost = (hostname: string, field: 'allowedOrigins' | 'frameAncestors'): boolean => {
  // CSP host sources may name every subdomain with a leading `*.`; CORS origins are matched exactly.
  const name = field === 'frameAncestors' ? hostname.replace(/^\*\./, '') : hostname
  return HOST_NAME.test(name) || (field === 'allowedOrigins' && IPV6_LITERAL.test(name))
}

/**
 * Browser origins allowed to call the API with this client's key (or to frame the hosted pages):
 * `scheme://host[:port]`, nothing more; frame ancestors may start the host with `*.`.
 */
export const parseAllowedOrigins = (
  values: readonly string[],
  mode: ClientMode,
  problems: FieldProblem[],
  field: 'allowedOrigins' | 'frameAncestors' = 'allowedOrigins',
): string[] => {
  const origins: string[] = []
  for (const value of values) {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      problems.push({
        field,
        message: `"${value}" is not an origin like https://app.example.com`,
      })
      continue
    }
    if (
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.origin !== value.replace(/\/$/, '') ||
      !isOriginHost(url.hostname, field)
    ) {
      problems.push({
        field,
        message: `"${value}" is not an origin like https://app.example.com`,
      })
      continue
    }
    if (url.protocol === 'http:' && (mode === 'live' || !isLoopbackHost(url.hostname))) {
      problems.push({
        field,
        message: `"${value}" must use https (http is allowed only for localhost in sandbox)`,
      })
      continue
    }
    origins.push(url.origin)
  }
  return [...new Set(origins)]
}

export const parseName = (value: string, problems: FieldProblem[]): string => {
  const name = value.trim()
  if (name.length === 0 || name.length > 100)
    problems.push({ field: 'name', message: 'must be 1 to 100 characters' })
  return name
}

/** The problems the configuration's parsers report (`NAME: message`), as field problems of `field`. */
const asFieldProblems = (messages: string[], field: string, problems: FieldProblem[]) => {
  for (const message of messages) problems.push({ field, message: message.replace(/^[^:]+: /, '') })
}

/** A client's accepted document types: a list narrowing the region's, or `null` for the region's own. */
export const parseClientDocumentTypes = (
  value: string | null,
  problems: FieldProblem[],
): DocumentType[] | null => {
  if (value === null) return null
  const messages: string[] = []
  const types = parseDocumentTypes(value, messages, 'documentTypes')
  asFieldProblems(messages, 'documentTypes', problems)
  return types
}

/** A client's accepted issuing countries: a non-empty list narrowing the region's, or `null`. */
export const parseClientIssuingCountries = (
  value: string | null,
  problems: FieldProblem[],
): string[] | null => {
  if (value === null) return null
  const messages: string[] = []
  const countries = parseCountries(value, messages, 'issuingCountries')
  if (messages.length === 0 && countries.length === 0)
    messages.push('issuingCountries: at least one country code (or the region default)')
  asFieldProblems(messages, 'issuingCountries', problems)
  return countries
}

/** Countries the client refuses on top of its region's: a list, possibly empty (`none`). */
export const parseClientRestrictedCountries = (value: string, problems: FieldProblem[]): string[] => {
  const messages: string[] = []
  const countries = parseCountries(value, messages, 'restrictedCountries')
  asFieldProblems(messages, 'restrictedCountries', problems)
  return countries
}

export const parseMinimumAge = (value: number | null, problems: FieldProblem[]): number | null => {
  if (value !== null && !(Number.isInteger(value) && value >= 1 && value <= 120))
    problems.push({ field: 'minimumAge', message: 'must be a whole number of years from 1 to 120' })
  return value
}
