import jaroWinkler from 'talisman/metrics/jaro-winkler.js'

/**
 * Name similarity as Moov Watchman scores it (internal/stringscore/jaro_winkler.go, BestPairsJaroWinkler):
 * tokens compared pairwise with a Jaro-Winkler tuned for names, the best pairs kept (each token used
 * once), averaged by length, and scaled down for the part of the indexed name nothing matched. Watchman
 * reports precision 0.99 at 0.80 on 472,477 labelled OpenSanctions pairs, which is why its constants are
 * kept as they are.
 */
const BOOST_THRESHOLD = 0.7
const SCALING_FACTOR = 0.1
const LENGTH_CUTOFF = 0.9
const LENGTH_PENALTY_WEIGHT = 0.3
const DIFFERENT_FIRST_LETTER_PENALTY = 0.9
const UNMATCHED_INDEX_PENALTY_WEIGHT = 0.15

// Watchman's first-letter phonetic classes: only tokens whose first letters sound alike are compared
// at all (Khan/Chan, Fatima/Phatima), which keeps the pairwise step cheap and unrelated tokens apart.
const PHONETIC_CLASS: Readonly<Record<string, string>> = {
  a: 'a',
  e: 'a',
  i: 'a',
  o: 'a',
  u: 'a',
  y: 'a',
  b: 'b',
  f: 'b',
  p: 'b',
  v: 'b',
  c: 'c',
  g: 'c',
  j: 'c',
  k: 'c',
  q: 'c',
  s: 'c',
  x: 'c',
  z: 'c',
  d: 'd',
  t: 'd',
  l: 'l',
  m: 'm',
  n: 'm',
  r: 'r',
  h: 'h',
  w: 'h',
}

export const phoneticClass = (token: string): string => {
  const first = token.charAt(0)
  return PHONETIC_CLASS[first] ?? first
}

const scaling = (metric: number, weight: number) => 1 - (1 - metric) * weight

/** One token against another: Jaro-Winkler, less for very different lengths and different first letters. */
export const tokenSimilarity = (a: string, b: string): number => {
  let score = jaroWinkler.custom({ boostThreshold: BOOST_THRESHOLD, scalingFactor: SCALING_FACTOR }, a, b)
  const lengthRatio = Math.min(a.length, b.length) / Math.max(a.length, b.length)
  if (lengthRatio < LENGTH_CUTOFF) score *= scaling(lengthRatio, LENGTH_PENALTY_WEIGHT)
  if (a.charAt(0) !== b.charAt(0)) score *= DIFFERENT_FIRST_LETTER_PENALTY
  return score
}

const totalLength = (tokens: readonly string[]) => tokens.reduce((sum, token) => sum + token.length, 0)

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

type Pair = { score: number; search: number; index: number }

/** A search token paired with the indexed token it matched best, and their similarity. */
export type TokenPair = { search: string; indexed: string; score: number }

/**
 * How well the search tokens are found in the indexed tokens, 0–1 (1 for the same tokens in any order),
 * with the pairs that made the score. Directed: indexed tokens nothing matched cost a little (John Doe is
 * closer to John Doe than to John Bartholomew Doe), unmatched search tokens cost their full length. Ties
 * between pairs are broken by the tokens themselves, never by their positions, so the order of the
 * tokens cannot change the score.
 */
export const bestPairsMatch = (
  search: readonly string[],
  indexed: readonly string[],
  similarity: (a: string, b: string) => number = tokenSimilarity,
): { score: number; pairs: TokenPair[] } => {
  if (search.length === 0 || indexed.length === 0) return { score: 0, pairs: [] }
  const pairs: Pair[] = []
  for (let s = 0; s < search.length; s++) {
    const searchToken = search[s] as string
    const searchClass = phoneticClass(searchToken)
    for (let i = 0; i < indexed.length; i++) {
      const indexToken = indexed[i] as string
      if (phoneticClass(indexToken) !== searchClass) continue
      pairs.push({ score: similarity(searchToken, indexToken), search: s, index: i })
    }
  }
  pairs.sort(
    (x, y) =>
      y.score - x.score ||
      byText(search[x.search] as string, search[y.search] as string) ||
      byText(indexed[x.index] as string, indexed[y.index] as string),
  )
  const searchUsed = new Array<boolean>(search.length).fill(false)
  const indexUsed = new Array<boolean>(indexed.length).fill(false)
  const matched: TokenPair[] = []
  let weighted = 0
  let matchedIndexLength = 0
  for (const pair of pairs) {
    if (searchUsed[pair.search] || indexUsed[pair.index]) continue
    const searchToken = search[pair.search] as string
    const indexToken = indexed[pair.index] as string
    weighted += pair.score * (searchToken.length + indexToken.length)
    searchUsed[pair.search] = true
    indexUsed[pair.index] = true
    matchedIndexLength += indexToken.length
    matched.push({ search: searchToken, indexed: indexToken, score: pair.score })
  }
  const average = weighted / (totalLength(search) + matchedIndexLength)
  return {
    score: average * scaling(matchedIndexLength / totalLength(indexed), UNMATCHED_INDEX_PENALTY_WEIGHT),
    pairs: matched,
  }
}

export const bestPairsSimilarity = (
  search: readonly string[],
  indexed: readonly string[],
  similarity: (a: string, b: string) => number = tokenSimilarity,
): number => bestPairsMatch(search, indexed, similarity).score

/**
 * The ways a name may be written with or without a space inside it: the tokens as given, and each pair
 * of neighbouring tokens joined (Abdul Rahman → abdulrahman). Watchman alone scores Abdulrahman Khan
 * against KHAN, Abdul Rahman at 0.78, below its alert threshold: comparing the joined forms too finds it.
 */
export const joinedForms = (tokens: readonly string[]): string[][] => {
  const forms = [[...tokens]]
  for (let at = 0; at + 1 < tokens.length; at++)
    forms.push([...tokens.slice(0, at), `${tokens[at]}${tokens[at + 1]}`, ...tokens.slice(at + 2)])
  return forms
}

/** The best directed score between any form of one name and any form of the other. */
export const formsSimilarity = (
  searchForms: readonly (readonly string[])[],
  indexForms: readonly (readonly string[])[],
  similarity: (a: string, b: string) => number = tokenSimilarity,
): number => {
  let best = 0
  for (const searchForm of searchForms)
    for (const indexForm of indexForms)
      best = Math.max(best, bestPairsSimilarity(searchForm, indexForm, similarity))
  return best
}

/**
 * Token similarity remembered per search token: a list repeats its common given and family names
 * thousands of times, so one screening computes each distinct pair once.
 */
export const memoizedTokenSimilarity = (): ((a: string, b: string) => number) => {
  const known = new Map<string, Map<string, number>>()
  return (a, b) => {
    let row = known.get(a)
    if (!row) {
      row = new Map()
      known.set(a, row)
    }
    let score = row.get(b)
    if (score === undefined) {
      score = tokenSimilarity(a, b)
      row.set(b, score)
    }
    return score
  }
}

/** The best directed score over the joined forms of both names. */
export const nameSimilarity = (search: readonly string[], indexed: readonly string[]): number =>
  formsSimilarity(joinedForms(search), joinedForms(indexed))

/** The same in both directions: for comparing two names neither of which is "the list". */
export const mutualNameSimilarity = (a: readonly string[], b: readonly string[]): number => {
  let best = 0
  for (const aForm of joinedForms(a))
    for (const bForm of joinedForms(b))
      best = Math.max(best, (bestPairsSimilarity(aForm, bForm) + bestPairsSimilarity(bForm, aForm)) / 2)
  return best
}
