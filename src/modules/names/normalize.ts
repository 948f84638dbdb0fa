import anyAscii from 'any-ascii'
import soundex from 'talisman/phonetics/soundex.js'

/**
 * Titles and generational suffixes that documents, registrations and lists print inconsistently: they
 * say nothing about who the person is, so they are dropped before names are compared.
 */
const HONORIFICS = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'sir',
  'dame',
  'lord',
  'lady',
  'rev',
  'jr',
  'sr',
  'ii',
  'iii',
  'iv',
])

// Scripts written without spaces between the syllables of a name: each character is its own syllable,
// so it becomes its own token ("王伟" → "wang wei", as the passport prints WANG WEI). The joined-token
// comparison then matches a given name written as one word (XIAOMING) or two.
const SYLLABIC = /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/gu

/** Plain lower-case ASCII, whatever script or accents the name was written in. */
export const transliterate = (text: string): string =>
  anyAscii(text.normalize('NFC').replace(SYLLABIC, (character) => ` ${character} `)).toLowerCase()

/**
 * A name as comparable tokens: transliterated (any-ascii), lower case, without punctuation or titles.
 * `LAST, First Middle` (lists, some registrations) becomes `first middle last`. Apostrophes join
 * (O'Brien → obrien); hyphens and other punctuation separate (AL-BAKR → al bakr).
 */
export const nameTokens = (name: string): string[] => {
  const commaAt = name.indexOf(',')
  const ordered =
    commaAt >= 0 && name.indexOf(',', commaAt + 1) < 0
      ? `${name.slice(commaAt + 1)} ${name.slice(0, commaAt)}`
      : name
  return transliterate(ordered)
    .replace(/['`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((token) => token.length > 0 && !HONORIFICS.has(token))
}

// ICAO 9303 (part 3, 6.A) writes Ä Ö Ü as AE OE UE in the MRZ where any-ascii gives A O U: both
// spellings of a name are tried when a registration is compared with a document.
const ICAO_EXPANSIONS: readonly [RegExp, string][] = [
  [/[äÄ]/g, 'ae'],
  [/[öÖ]/g, 'oe'],
  [/[üÜ]/g, 'ue'],
]

/** The spellings of a name's tokens: any-ascii's, and ICAO's when the name has an umlaut. */
export const nameTokenVariants = (name: string): string[][] => {
  const composed = name.normalize('NFC')
  const icao = ICAO_EXPANSIONS.reduce(
    (text, [pattern, replacement]) => text.replace(pattern, replacement),
    composed,
  )
  return icao === composed ? [nameTokens(composed)] : [nameTokens(composed), nameTokens(icao)]
}

/** The tokens of a given-names + family-name pair (registration or document), given names first. */
export const personTokens = (given: string | null, family: string | null): string[] => [
  ...nameTokens(given ?? ''),
  ...nameTokens(family ?? ''),
]

/** Soundex codes of the tokens (talisman), e.g. for indexing names at import. */
export const soundexCodes = (tokens: readonly string[]): string[] =>
  tokens.filter((token) => /[a-z]/.test(token)).map((token) => soundex(token))
