import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mrzLines } from '../../../../../test/fixtures/documents/mrz-lines.ts'
import { coversCell, LAYOUTS, MRZ_FORMATS } from './formats.ts'
import type { CellReading } from './read.ts'
import { repairCheckDigits } from './repair.ts'

const LINES = {
  TD1: mrzLines('TD1', {
    documentCode: 'ID',
    issuingState: 'DEU',
    documentNumber: 'T22000129',
    surname: 'MUSTERMANN',
    givenNames: 'ERIKA',
    nationality: 'DEU',
    dateOfBirth: '1964-08-12',
    sex: 'F',
    expiryDate: '2031-10-31',
  }),
  TD2: mrzLines('TD2', {
    documentCode: 'I',
    issuingState: 'NLD',
    documentNumber: 'SPECI2014',
    surname: 'DE BRUIJN',
    givenNames: 'WILLEKE',
    nationality: 'NLD',
    dateOfBirth: '1965-03-10',
    sex: 'F',
    expiryDate: '2034-03-09',
  }),
  TD3: mrzLines('TD3', {
    documentCode: 'P',
    issuingState: 'GBR',
    documentNumber: '107185703',
    surname: 'SMITH',
    givenNames: 'JOHN',
    nationality: 'GBR',
    dateOfBirth: '1978-02-11',
    sex: 'M',
    expiryDate: '2029-05-30',
    optional: 'AB12',
  }),
}

/** Cells read confidently as the lines say: each character well ahead of a runner-up. */
const confident = (lines: string[]): CellReading[][] =>
  lines.map((line) =>
    [...line].map((character) => ({
      candidates: [
        { character, score: 0.9 },
        { character: character === '<' ? 'K' : '<', score: 0.5 },
      ],
    })),
  )

const withMisread = (
  cells: CellReading[][],
  line: number,
  index: number,
  wrong: string,
  truth: string,
  margin: number,
) => {
  const copy = cells.map((row) => row.map((cell) => ({ candidates: [...cell.candidates] })))
  ;(copy[line] as CellReading[])[index] = {
    candidates: [
      { character: wrong, score: 0.7 },
      { character: truth, score: 0.7 - margin },
    ],
  }
  return copy
}

const linesOf = (cells: CellReading[][]) =>
  cells.map((row) => row.map((cell) => cell.candidates[0]?.character).join(''))

describe('check-digit repair', () => {
  it('leaves a read whose check digits all hold as it is', () => {
    for (const format of MRZ_FORMATS) {
      const repaired = repairCheckDigits(format, confident(LINES[format]), LINES[format])
      expect(repaired).toMatchObject({ lines: LINES[format], substitutions: [] })
      expect(repaired.checkDigits.every((check) => check.valid)).toBe(true)
    }
  })

  it('restores any misread glyph under a check digit whose runner-up was the printed one', () => {
    const cellsUnderCheckDigits = MRZ_FORMATS.flatMap((format) =>
      LINES[format].flatMap((line, lineIndex) =>
        [...line].flatMap((character, index) =>
          LAYOUTS[format].checkDigits.some((field) => coversCell(field, lineIndex, index))
            ? [{ format, lineIndex, index, character }]
            : [],
        ),
      ),
    )
    fc.assert(
      fc.property(
        fc.constantFrom(...cellsUnderCheckDigits),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<'),
        fc.double({ min: 0.001, max: 0.15, noNaN: true }),
        ({ format, lineIndex, index, character }, wrong, margin) => {
          fc.pre(wrong !== character)
          const cells = withMisread(confident(LINES[format]), lineIndex, index, wrong, character, margin)
          const misread = linesOf(cells)
          const repaired = repairCheckDigits(format, cells, misread)
          // A substitution the check digits cannot see needs no repair; any other is undone.
          if (repaired.substitutions.length > 0 || !repaired.checkDigits.every((check) => check.valid)) {
            expect(repaired.lines).toEqual(LINES[format])
            expect(repaired.substitutions).toEqual([
              expect.objectContaining({ line: lineIndex, index, from: wrong, to: character }),
            ])
          }
        },
      ),
    )
  })

  it('does not change a confidently read glyph: a check digit printed wrong stays failed', () => {
    const tampered = mrzLines(
      'TD3',
      {
        documentCode: 'P',
        issuingState: 'GBR',
        documentNumber: '107185703',
        surname: 'SMITH',
        givenNames: 'JOHN',
        nationality: 'GBR',
        dateOfBirth: '1978-02-11',
        sex: 'M',
        expiryDate: '2029-05-30',
      },
      'birthDate',
    )
    const repaired = repairCheckDigits('TD3', confident(tampered), tampered)
    expect(repaired.substitutions).toEqual([])
    expect(repaired.checkDigits.find((check) => check.field === 'birthDate')?.valid).toBe(false)
  })

  it('refuses to repair a read with many doubtful cells (a guess would satisfy the check digits by chance)', () => {
    let cells = confident(LINES.TD3)
    for (const index of [0, 1, 2, 3, 4, 5, 6, 7])
      cells = withMisread(cells, 1, index, '8', (LINES.TD3[1] as string)[index] as string, 0.01)
    const repaired = repairCheckDigits('TD3', cells, linesOf(cells))
    expect(repaired.substitutions).toEqual([])
  })
})
