/** The ICAO 9303 value of an MRZ character: digits as themselves, A–Z as 10–35, the filler `<` as 0. */
const characterValue = (character: string): number => {
  const code = character.charCodeAt(0)
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 65 && code <= 90) return code - 55
  if (character === '<') return 0
  throw new Error(`not an MRZ character: ${JSON.stringify(character)}`)
}

const WEIGHTS = [7, 3, 1] as const

/** The ICAO 9303 check digit of a field (weights 7-3-1 repeating, sum modulo 10). */
export const checkDigit = (field: string): number => {
  let sum = 0
  for (let index = 0; index < field.length; index++)
    sum += characterValue(field[index] as string) * (WEIGHTS[index % 3] as number)
  return sum % 10
}

/**
 * Whether a printed check digit holds for its field. An empty optional field (all fillers) may carry `<`
 * instead of `0` as its check digit (ICAO 9303 part 4, personal number).
 */
export const checkDigitHolds = (field: string, printed: string): boolean =>
  printed === '<' ? /^<*$/.test(field) : printed === String(checkDigit(field))
