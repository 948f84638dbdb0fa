/**
 * The three ICAO 9303 machine-readable zone layouts, as what each position may hold (so that the reader
 * only compares a cell against the glyphs allowed there) and which check digits guard which characters
 * (so that a failed check digit can be repaired from the runners-up of the cells it covers).
 */
export const MRZ_FORMATS = ['TD1', 'TD2', 'TD3'] as const
export type MrzFormat = (typeof MRZ_FORMATS)[number]

/** A position's character class: letters, digits, both, the document code's first letter, sex. */
export type CharacterClass = 'alpha' | 'digit' | 'alnum' | 'code' | 'sex' | 'check'

export const CLASS_CHARACTERS: Record<CharacterClass, string> = {
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ<',
  digit: '0123456789',
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<',
  code: 'PVIAC',
  // ICAO 9303: F, M or < (unspecified); mrz@5 rejects X.
  sex: 'MF<',
  // An empty optional field's check digit may be a filler.
  check: '0123456789<',
}

/** A span of one line: [line, start, end) in characters. */
export type Span = { line: number; start: number; end: number }

/** One check digit: at `at`, over the concatenation of `over`. */
export type CheckDigitField = { field: string; at: { line: number; index: number }; over: Span[] }

export type Layout = {
  format: MrzFormat
  lines: number
  length: number
  /** One class string per line, one class per position. */
  classes: CharacterClass[][]
  checkDigits: CheckDigitField[]
}

/** Builds a line's classes from (count, class) runs, checking that they fill the line exactly. */
const line = (length: number, runs: [number, CharacterClass][]): CharacterClass[] => {
  const classes = runs.flatMap(([count, kind]) => Array<CharacterClass>(count).fill(kind))
  if (classes.length !== length) throw new Error(`layout line of ${classes.length}, expected ${length}`)
  return classes
}

const span = (lineIndex: number, start: number, end: number): Span => ({ line: lineIndex, start, end })
const check = (field: string, lineIndex: number, index: number, ...over: Span[]): CheckDigitField => ({
  field,
  at: { line: lineIndex, index },
  over,
})

export const LAYOUTS: Record<MrzFormat, Layout> = {
  // ID cards: 3 lines of 30.
  TD1: {
    format: 'TD1',
    lines: 3,
    length: 30,
    classes: [
      line(30, [
        [1, 'code'],
        [1, 'alpha'],
        [3, 'alpha'],
        [9, 'alnum'],
        [1, 'check'],
        [15, 'alnum'],
      ]),
      line(30, [
        [6, 'digit'],
        [1, 'digit'],
        [1, 'sex'],
        [6, 'digit'],
        [1, 'digit'],
        [3, 'alpha'],
        [11, 'alnum'],
        [1, 'digit'],
      ]),
      line(30, [[30, 'alpha']]),
    ],
    checkDigits: [
      check('documentNumber', 0, 14, span(0, 5, 14)),
      check('birthDate', 1, 6, span(1, 0, 6)),
      check('expirationDate', 1, 14, span(1, 8, 14)),
      check('composite', 1, 29, span(0, 5, 30), span(1, 0, 7), span(1, 8, 15), span(1, 18, 29)),
    ],
  },
  // Visas and older ID cards: 2 lines of 36.
  TD2: {
    format: 'TD2',
    lines: 2,
    length: 36,
    classes: [
      line(36, [
        [1, 'code'],
        [1, 'alpha'],
        [3, 'alpha'],
        [31, 'alpha'],
      ]),
      line(36, [
        [9, 'alnum'],
        [1, 'check'],
        [3, 'alpha'],
        [6, 'digit'],
        [1, 'digit'],
        [1, 'sex'],
        [6, 'digit'],
        [1, 'digit'],
        [7, 'alnum'],
        [1, 'digit'],
      ]),
    ],
    checkDigits: [
      check('documentNumber', 1, 9, span(1, 0, 9)),
      check('birthDate', 1, 19, span(1, 13, 19)),
      check('expirationDate', 1, 27, span(1, 21, 27)),
      check('composite', 1, 35, span(1, 0, 10), span(1, 13, 20), span(1, 21, 35)),
    ],
  },
  // Passports: 2 lines of 44.
  TD3: {
    format: 'TD3',
    lines: 2,
    length: 44,
    classes: [
      line(44, [
        [1, 'code'],
        [1, 'alpha'],
        [3, 'alpha'],
        [39, 'alpha'],
      ]),
      line(44, [
        [9, 'alnum'],
        [1, 'check'],
        [3, 'alpha'],
        [6, 'digit'],
        [1, 'digit'],
        [1, 'sex'],
        [6, 'digit'],
        [1, 'digit'],
        [14, 'alnum'],
        [1, 'check'],
        [1, 'digit'],
      ]),
    ],
    checkDigits: [
      check('documentNumber', 1, 9, span(1, 0, 9)),
      check('birthDate', 1, 19, span(1, 13, 19)),
      check('expirationDate', 1, 27, span(1, 21, 27)),
      check('personalNumber', 1, 42, span(1, 28, 42)),
      check('composite', 1, 43, span(1, 0, 10), span(1, 13, 20), span(1, 21, 43)),
    ],
  },
}

/** The characters a check digit covers, read from the lines. */
export const fieldText = (lines: readonly string[], field: CheckDigitField): string =>
  field.over.map(({ line: index, start, end }) => (lines[index] ?? '').slice(start, end)).join('')

export const printedCheckDigit = (lines: readonly string[], field: CheckDigitField): string =>
  (lines[field.at.line] ?? '')[field.at.index] ?? ''

/** Whether a check digit covers a cell (one of its characters, or the digit itself). */
export const coversCell = (field: CheckDigitField, line: number, index: number): boolean =>
  (field.at.line === line && field.at.index === index) ||
  field.over.some((span) => span.line === line && index >= span.start && index < span.end)
