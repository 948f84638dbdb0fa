import { nameTokenVariants } from './normalize.ts'
import { mutualNameSimilarity } from './similarity.ts'

/** A person's name in two parts, as a registration and an identity document both give it. */
export type PersonName = { given: string | null; family: string | null }

/**
 * How a registered name compares with the name on a document:
 * - `exact`: the same tokens once normalised (case, accents, script, punctuation, titles, order, and
 *   spaces inside a name: Abdulrahman = Abdul Rahman);
 * - `missing_names`: every token of one side is on the other, the family name of the shorter among the
 *   other's family names — middle names, or a second surname, written on one side only;
 * - `near_miss`: not the same tokens but close (a typo, another transliteration): a person looks;
 * - `mismatch`: another name.
 */
export type NameComparison = {
  kind: 'exact' | 'missing_names' | 'near_miss' | 'mismatch'
  /** Mutual best-pairs Jaro-Winkler over the joined forms, 0–1 (1 when exact). */
  score: number
}

/** Joins neighbouring tokens of `tokens` whose concatenation is a token of `other` (Abdul Rahman vs Abdulrahman). */
const joinAgainst = (tokens: readonly string[], other: readonly string[]): string[] => {
  const wanted = new Set(other)
  const joined: string[] = []
  for (let at = 0; at < tokens.length; at++) {
    const token = tokens[at] as string
    const next = tokens[at + 1]
    if (next !== undefined && !wanted.has(token) && wanted.has(`${token}${next}`)) {
      joined.push(`${token}${next}`)
      at++
    } else joined.push(token)
  }
  return joined
}

/** Whether every token of `part` is in `whole`, each token of `whole` used once. */
const containedIn = (part: readonly string[], whole: readonly string[]): boolean => {
  const left = [...whole]
  for (const token of part) {
    const at = left.indexOf(token)
    if (at < 0) return false
    left.splice(at, 1)
  }
  return true
}

type Side = { given: string[]; family: string[]; all: string[] }
type Spelling = { given: string[]; family: string[] }

const sideOf = (name: Spelling, other: Spelling): Side => {
  const otherAll = [...other.given, ...other.family]
  const given = joinAgainst(name.given, otherAll)
  const family = joinAgainst(name.family, otherAll)
  return { given, family, all: [...given, ...family] }
}

const spellings = (name: PersonName): Spelling[] => {
  const givens = nameTokenVariants(name.given ?? '')
  const families = nameTokenVariants(name.family ?? '')
  return givens.flatMap((given) => families.map((family) => ({ given, family })))
}

const RANK: Record<NameComparison['kind'], number> = { exact: 3, missing_names: 2, near_miss: 1, mismatch: 0 }

/** The best comparison over the spellings of both names (any-ascii's and ICAO's for umlauts). */
export const compareNames = (a: PersonName, b: PersonName, nearMissThreshold: number): NameComparison => {
  let best: NameComparison = { kind: 'mismatch', score: 0 }
  for (const left of spellings(a))
    for (const right of spellings(b)) {
      const comparison = compareSpellings(left, right, nearMissThreshold)
      if (
        RANK[comparison.kind] > RANK[best.kind] ||
        (comparison.kind === best.kind && comparison.score > best.score)
      )
        best = comparison
    }
  return best
}

const compareSpellings = (a: Spelling, b: Spelling, nearMissThreshold: number): NameComparison => {
  const left = sideOf(a, b)
  const right = sideOf(b, a)
  if (left.all.length === 0 || right.all.length === 0) return { kind: 'mismatch', score: 0 }
  if (left.all.length === right.all.length && containedIn(left.all, right.all))
    return { kind: 'exact', score: 1 }
  const [shorter, longer] = left.all.length <= right.all.length ? [left, right] : [right, left]
  const score = mutualNameSimilarity(left.all, right.all)
  // Middle names missing on one side are fine; a side with only a family name is not a match of the
  // person (a surname alone is shared by many): that is for a person to look at.
  if (
    containedIn(shorter.all, longer.all) &&
    shorter.family.length > 0 &&
    shorter.all.length > shorter.family.length &&
    containedIn(shorter.family, longer.family)
  )
    return { kind: 'missing_names', score }
  return { kind: score >= nearMissThreshold ? 'near_miss' : 'mismatch', score }
}
