/**
 * The names module's face: person names normalised (any-ascii, case, punctuation, titles, `LAST, First`)
 * and compared as Moov Watchman compares them (best-pairs Jaro-Winkler with phonetic blocking), for the
 * identity consistency check and sanctions screening alike.
 */
export { compareNames, type NameComparison, type PersonName } from './compare.ts'
export { nameTokens, nameTokenVariants, personTokens, soundexCodes, transliterate } from './normalize.ts'
export {
  bestPairsMatch,
  bestPairsSimilarity,
  formsSimilarity,
  joinedForms,
  memoizedTokenSimilarity,
  mutualNameSimilarity,
  nameSimilarity,
  phoneticClass,
  type TokenPair,
} from './similarity.ts'
