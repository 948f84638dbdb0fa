import countries from 'i18n-iso-countries'

/**
 * Codes documents print that are not ISO 3166-1 alpha-3 (ICAO Doc 9303 Part 3, §5): Germany's `D`,
 * the British nationality classes, Kosovo. Organisations (UNO, XPO…) and the stateless/refugee codes
 * (XXA, XXB, XXC, XXX) name no country and stay unmapped.
 */
const ICAO_CODES: Readonly<Record<string, string>> = {
  D: 'DE',
  GBD: 'GB',
  GBN: 'GB',
  GBO: 'GB',
  GBP: 'GB',
  GBS: 'GB',
  RKS: 'XK',
  UNK: 'XK',
}

/**
 * The ISO 3166-1 alpha-2 country of a code read off a document (`DEU`, `D<<`, `USA`), or null when it
 * names no country: the checks then cannot compare it with what the user chose.
 */
export const documentCountry = (code: string | null): string | null => {
  if (code === null) return null
  const cleaned = code.replaceAll('<', '').trim().toUpperCase()
  return ICAO_CODES[cleaned] ?? countries.alpha3ToAlpha2(cleaned) ?? null
}
