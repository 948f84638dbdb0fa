// talisman ships no types; these are the two functions Verity's name matching uses.
declare module 'talisman/metrics/jaro-winkler.js' {
  const jaroWinkler: {
    (a: string, b: string): number
    custom(options: { boostThreshold?: number; scalingFactor?: number }, a: string, b: string): number
  }
  export default jaroWinkler
}
declare module 'talisman/phonetics/soundex.js' {
  const soundex: (name: string) => string
  export default soundex
}
