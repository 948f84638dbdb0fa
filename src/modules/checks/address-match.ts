import anyAscii from 'any-ascii'
import jaroWinkler from 'talisman/metrics/jaro-winkler.js'

/**
 * Finds a registered name and street in the text of a proof of address. Both sides are folded the same
 * way (any-ascii transliteration, lower case, punctuation to spaces, common street abbreviations
 * spelled out), then compared word by word with Jaro-Winkler, which forgives an OCR's slip in one
 * letter but not another word. Words must be found together on one line (or on two that follow each
 * other, when a line wraps): a surname in the greeting and a first name in a shop's name do not make
 * a name. Registered words with digits (house numbers, flats) must match exactly.
 */

/** How street words are written out in full on both sides, so that `12 Baker St` is `12 Baker Street`. */
const STREET_WORDS: Record<string, string> = {
  st: 'street',
  str: 'street',
  rd: 'road',
  ave: 'avenue',
  av: 'avenue',
  dr: 'drive',
  ln: 'lane',
  blvd: 'boulevard',
  ct: 'court',
  pl: 'place',
  sq: 'square',
  ter: 'terrace',
  terr: 'terrace',
  cres: 'crescent',
  hwy: 'highway',
  pkwy: 'parkway',
  cir: 'circle',
  apt: 'apartment',
  ste: 'suite',
  fl: 'floor',
  n: 'north',
  s: 'south',
  e: 'east',
  w: 'west',
  ne: 'northeast',
  nw: 'northwest',
  se: 'southeast',
  sw: 'southwest',
}

/** Lower-case ASCII words: `Zoë O'Brien-Łukasz` → `zoe o brien lukasz`. */
export const words = (text: string): string[] =>
  anyAscii(text)
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)

const streetWords = (text: string) => words(text).map((word) => STREET_WORDS[word] ?? word)

// A registered word with a digit (a house number, a flat) is found only as it is; a word without one
// may be seen with an OCR's digit in it (Kowa1czyk).
const similarity = (wanted: string, seen: string): number =>
  /\d/.test(wanted) ? (wanted === seen ? 1 : 0) : jaroWinkler(wanted, seen)

/** How well `wanted` is found among `seen`: its best Jaro-Winkler score against any of them. */
const bestScore = (wanted: string, seen: readonly string[]) =>
  seen.reduce((best, word) => Math.max(best, similarity(wanted, word)), 0)

/** One word looked for, how well it was found and as what. */
export type WordMatch = { word: string; score: number; seenAs: string | null }

export type TextMatch = {
  /** Whether every required word was found on one line (or two that follow each other) at the threshold. */
  found: boolean
  /** The lowest score of the required words on the best line: what `found` compared with the threshold. */
  score: number
  /** The 1-based line where they were found best, `null` when nothing was looked for. */
  line: number | null
  words: WordMatch[]
}

const matchOnLines = (
  lines: readonly string[][],
  required: readonly string[],
  optional: readonly string[],
  threshold: number,
): TextMatch => {
  if (required.length === 0) return { found: false, score: 0, line: null, words: [] }
  // Single lines first: on a tie, the line that holds the words alone is the one reported.
  const candidates = [
    ...lines.map((seen, index) => ({ line: index + 1, seen })),
    ...lines
      .slice(0, -1)
      .map((seen, index) => ({ line: index + 1, seen: [...seen, ...(lines[index + 1] ?? [])] })),
  ]
  let best = { score: -1, line: 0, seen: [] as string[] }
  for (const candidate of candidates) {
    const score = Math.min(...required.map((word) => bestScore(word, candidate.seen)))
    if (score > best.score) best = { score, ...candidate }
  }
  const describe = (word: string): WordMatch => {
    const score = bestScore(word, best.seen)
    const seenAs = best.seen.find((seen) => similarity(word, seen) === score && score > 0) ?? null
    return { word, score: Math.round(score * 1000) / 1000, seenAs }
  }
  return {
    found: best.score >= threshold,
    score: Math.round(Math.max(best.score, 0) * 1000) / 1000,
    line: best.line,
    words: [...required, ...optional].map(describe),
  }
}

const linesOf = (text: string, fold: (line: string) => string[]) => text.split('\n').map(fold)

/**
 * The registered name in the text. The first given name and every surname word are required; further
 * given names (middle names) are reported but not required, since bills often leave them out. An
 * initial does not count for a given name: `J Smith` could be anyone in the household (a person judges).
 */
export const findName = (
  text: string,
  name: { firstName: string; lastName: string },
  threshold: number,
): TextMatch => {
  const [first, ...middle] = words(name.firstName)
  const required = [...(first ? [first] : []), ...words(name.lastName)]
  return matchOnLines(linesOf(text, words), required, middle, threshold)
}

/** The registered street line (house number and street words) in the text. */
export const findStreet = (text: string, street: string, threshold: number): TextMatch =>
  matchOnLines(linesOf(text, streetWords), streetWords(street), [], threshold)

/**
 * The postcode or ZIP, exactly: the same letters and digits in order, spaced or not (`NW1 6XE`,
 * `NW16XE`), not inside a longer run of them (an account number). A US ZIP+4 is looked for by its
 * five digits, which is what most bills print.
 */
export const findPostcode = (text: string, postcode: string): boolean => {
  const compact = anyAscii(postcode)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
  const wanted = /^\d{9}$/.test(compact) ? compact.slice(0, 5) : compact
  if (wanted.length === 0) return false
  const pattern = new RegExp(`(?<![A-Z0-9])${[...wanted].join('[ -]?')}(?![A-Z0-9])`)
  return pattern.test(anyAscii(text).toUpperCase())
}
