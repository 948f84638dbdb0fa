import { checkDigitHolds } from './check-digit.ts'
import { coversCell, fieldText, LAYOUTS, type MrzFormat, printedCheckDigit } from './formats.ts'
import type { CellReading } from './read.ts'

/** One character the repair changed: from the best match to a runner-up. */
export type Substitution = { line: number; index: number; from: string; to: string; cost: number }

export type Repaired = {
  lines: string[]
  substitutions: Substitution[]
  /** Every check digit of the format and whether it holds on the (repaired) lines. */
  checkDigits: { field: string; valid: boolean }[]
}

/** A runner-up is tried only when it scored within this much of the best glyph (the cell was in doubt). */
const MAX_COST = 0.2
/** The doubtful cells considered (cheapest runner-ups first), to bound the pair search. */
const MAX_ALTERNATIVES = 12
/**
 * A read with more doubtful cells than this is not repaired at all: with enough runner-ups to choose
 * from, some combination satisfies the check digits by chance, and the "repaired" data would be wrong
 * while looking valid (measured: a misaligned line read as garbage was "repaired" valid).
 */
const MAX_DOUBTFUL_CELLS = 6
const DOUBTFUL_MARGIN = 0.05
/**
 * Each change costs its runner-up's deficit plus this: one misread is far likelier than two, so a
 * single change beats a pair of near-free ones, as a reader would judge.
 */
const CHANGE_PENALTY = 0.08
/** A repair must be cheaper than any other valid repair by this much to be applied. */
const AMBIGUITY = 0.05

export const checkDigitsOf = (format: MrzFormat, lines: readonly string[]) =>
  LAYOUTS[format].checkDigits.map((field) => ({
    field: field.field,
    valid: checkDigitHolds(fieldText(lines, field), printedCheckDigit(lines, field)),
  }))

/**
 * Repairs failed check digits the way a reader would: among the cells those check digits cover, tries
 * the runner-up glyphs of the most doubtful cells (one change, then two), and keeps the cheapest change
 * that makes every check digit hold. A change that is not cheap (a confidently read glyph) is never
 * tried, so a check digit that fails on a clean read stays failed: that is what an altered document
 * looks like.
 */
export const repairCheckDigits = (
  format: MrzFormat,
  cells: readonly CellReading[][],
  lines: readonly string[],
): Repaired => {
  const initial = checkDigitsOf(format, lines)
  if (initial.every((check) => check.valid))
    return { lines: [...lines], substitutions: [], checkDigits: initial }
  const doubtful = cells
    .flat()
    .filter(
      ({ candidates: [best, second] }) => (best?.score ?? 0) - (second?.score ?? 0) < DOUBTFUL_MARGIN,
    ).length
  if (doubtful > MAX_DOUBTFUL_CELLS) return { lines: [...lines], substitutions: [], checkDigits: initial }
  const failing = LAYOUTS[format].checkDigits.filter((_, index) => !initial[index]?.valid)
  const alternatives: Substitution[] = []
  cells.forEach((line, lineIndex) => {
    line.forEach((cell, index) => {
      if (!failing.some((field) => coversCell(field, lineIndex, index))) return
      const [best, ...rest] = cell.candidates
      if (!best) return
      for (const other of rest) {
        const cost = best.score - other.score
        if (cost <= MAX_COST)
          alternatives.push({ line: lineIndex, index, from: best.character, to: other.character, cost })
      }
    })
  })
  alternatives.sort((a, b) => a.cost - b.cost)
  const tried = alternatives.slice(0, MAX_ALTERNATIVES)
  const apply = (changes: Substitution[]) => {
    const changed = lines.map((line) => [...line])
    for (const change of changes) (changed[change.line] as string[])[change.index] = change.to
    return changed.map((line) => line.join(''))
  }
  const solutions: { lines: string[]; substitutions: Substitution[]; cost: number }[] = []
  const consider = (changes: Substitution[]) => {
    const candidate = apply(changes)
    if (!checkDigitsOf(format, candidate).every((check) => check.valid)) return
    const cost = changes.reduce((sum, change) => sum + change.cost + CHANGE_PENALTY, 0)
    solutions.push({ lines: candidate, substitutions: changes, cost })
  }
  // One change, then two; never more: changing three glyphs to fit the check digits would be guessing.
  for (const change of tried) consider([change])
  for (let i = 0; i < tried.length; i++)
    for (let j = i + 1; j < tried.length; j++) {
      const a = tried[i] as Substitution
      const b = tried[j] as Substitution
      if (a.line !== b.line || a.index !== b.index) consider([a, b])
    }
  solutions.sort((a, b) => a.cost - b.cost)
  const [best, second] = solutions
  // Two different repairs nearly as likely: the check digits cannot tell which is right (a check digit
  // misses compensating errors), so none is applied and the read stays failed, for a person to judge.
  // Measured: 0→O twice "repaired" by one O→G gave valid but wrong data until this rule.
  if (!best || (second && second.cost - best.cost < AMBIGUITY))
    return { lines: [...lines], substitutions: [], checkDigits: initial }
  return {
    lines: best.lines,
    substitutions: best.substitutions,
    checkDigits: checkDigitsOf(format, best.lines),
  }
}
