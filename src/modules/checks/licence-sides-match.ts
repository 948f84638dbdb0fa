/**
 * Finding a barcode's values in the text tesseract read off a licence's front. OCR confuses letters
 * and digits of similar shape, so both sides are compared in a canonical form where each confusable
 * pair is one character; what remains is an edit distance over the front's words (and runs of two or
 * three words, for a number or a name the OCR split).
 */

const CONFUSABLE: Record<string, string> = { O: '0', Q: '0', I: '1', L: '1', S: '5', B: '8', Z: '2', G: '6' }

export const canonical = (value: string): string =>
  value
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .replace(/[OQILSBZG]/g, (c) => CONFUSABLE[c] ?? c)

export const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] as number
}

/** The front's words in canonical form, with every run of two and three consecutive words joined. */
export const candidates = (text: string): string[] => {
  const words = text
    .split(/[^A-Za-z0-9]+/)
    .map(canonical)
    .filter((word) => word.length > 0)
  const runs = new Set<string>()
  for (let i = 0; i < words.length; i++) {
    runs.add(words[i] as string)
    if (i + 1 < words.length) runs.add(`${words[i]}${words[i + 1]}`)
    if (i + 2 < words.length) runs.add(`${words[i]}${words[i + 1]}${words[i + 2]}`)
  }
  return [...runs]
}

export type Presence = 'match' | 'near' | 'absent'

/**
 * Whether `value` is printed in `text`: `match` when a word is the value (up to OCR-confusable
 * characters), `near` when one is within one edit (two for values of eight characters or more),
 * otherwise `absent`.
 */
export const presenceIn = (value: string, text: string): { presence: Presence; closest: number } => {
  const target = canonical(value)
  if (target.length === 0) return { presence: 'absent', closest: Number.POSITIVE_INFINITY }
  let closest = Number.POSITIVE_INFINITY
  for (const word of candidates(text)) {
    if (Math.abs(word.length - target.length) > 2) continue
    closest = Math.min(closest, editDistance(word, target))
    if (closest === 0) break
  }
  const near = target.length >= 8 ? 2 : 1
  return { presence: closest === 0 ? 'match' : closest <= near ? 'near' : 'absent', closest }
}

const shape = (value: string) => value.replace(/[A-Z]/g, 'A').replace(/[0-9]/g, '9')

/**
 * Another licence number printed in `text`: a word with the same shape as `value` (letters and digits
 * in the same places, as a jurisdiction's numbers all have) that differs from it in three characters
 * or more, beyond what OCR gets wrong. Null when there is none.
 */
export const otherNumberIn = (value: string, text: string): string | null => {
  const target = value.toUpperCase()
  const words = text.toUpperCase().split(/[^A-Z0-9]+/)
  return (
    words.find(
      (word) => shape(word) === shape(target) && editDistance(canonical(word), canonical(target)) >= 3,
    ) ?? null
  )
}
