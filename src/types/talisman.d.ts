// talisman ships no types; this is the part of its API Verity uses.
declare module 'talisman/metrics/jaro-winkler.js' {
  /** Jaro-Winkler similarity of two strings, 0 (nothing in common) to 1 (equal). */
  const jaroWinkler: (a: string, b: string) => number
  export default jaroWinkler
}
