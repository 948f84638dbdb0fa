import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findDates, latestDateUpTo, resolveDate, writesMonthFirst } from './dates.ts'

const ENGLISH = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const FRENCH = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
]
const GERMAN = [
  'Januar',
  'Februar',
  'März',
  'April',
  'Mai',
  'Juni',
  'Juli',
  'August',
  'September',
  'Oktober',
  'November',
  'Dezember',
]
const SPANISH = [
  'enero',
  'febrero',
  'marzo',
  'abril',
  'mayo',
  'junio',
  'julio',
  'agosto',
  'septiembre',
  'octubre',
  'noviembre',
  'diciembre',
]

type Day = { year: number; month: number; day: number; iso: string }

const calendarDay = fc
  .date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date): Day => {
    const iso = date.toISOString().slice(0, 10)
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), iso }
  })

const two = (n: number) => String(n).padStart(2, '0')

/** Every way the parser promises to read, with the reading order it needs (month first or not). */
const FORMATS: Record<string, (d: Day) => { text: string; monthFirst: boolean }> = {
  'DD Month YYYY': (d) => ({ text: `${d.day} ${ENGLISH[d.month - 1]} ${d.year}`, monthFirst: false }),
  'DDth Mon. YYYY': (d) => ({
    text: `${d.day}th ${ENGLISH[d.month - 1]?.slice(0, 3)}. ${d.year}`,
    monthFirst: false,
  }),
  'Month DD, YYYY': (d) => ({ text: `${ENGLISH[d.month - 1]} ${d.day}, ${d.year}`, monthFirst: false }),
  'Mon DD YYYY': (d) => ({
    text: `${ENGLISH[d.month - 1]?.slice(0, 3)} ${two(d.day)} ${d.year}`,
    monthFirst: false,
  }),
  'DD-Mon-YYYY': (d) => ({
    text: `${two(d.day)}-${ENGLISH[d.month - 1]?.slice(0, 3).toUpperCase()}-${d.year}`,
    monthFirst: false,
  }),
  'DD mois YYYY': (d) => ({ text: `${d.day} ${FRENCH[d.month - 1]} ${d.year}`, monthFirst: false }),
  'DD. Monat YYYY': (d) => ({ text: `${d.day}. ${GERMAN[d.month - 1]} ${d.year}`, monthFirst: false }),
  'DD de mes de YYYY': (d) => ({
    text: `${d.day} de ${SPANISH[d.month - 1]} de ${d.year}`,
    monthFirst: false,
  }),
  'YYYY-MM-DD': (d) => ({ text: d.iso, monthFirst: false }),
  'DD.MM.YYYY': (d) => ({ text: `${two(d.day)}.${two(d.month)}.${d.year}`, monthFirst: true }),
  'DD/MM/YYYY': (d) => ({ text: `${two(d.day)}/${two(d.month)}/${d.year}`, monthFirst: false }),
  'MM/DD/YYYY': (d) => ({ text: `${two(d.month)}/${two(d.day)}/${d.year}`, monthFirst: true }),
  'D/M/YY': (d) => ({ text: `${d.day}/${d.month}/${String(d.year).slice(2)}`, monthFirst: false }),
}

// Text around a date: words, amounts, a phone number; never glued to the date itself.
const filler = fc
  .array(
    fc.constantFrom('Total', '£84.20', 'due', 'Account 8840', '0800 123 4567', 'kWh', 'Ref: A-17', '\n'),
    {
      maxLength: 6,
    },
  )
  .map((words) => words.join(' '))

describe('findDates', () => {
  for (const [name, format] of Object.entries(FORMATS)) {
    it(`reads back any date written ${name}`, () => {
      fc.assert(
        fc.property(calendarDay, filler, filler, (day, before, after) => {
          // Two-digit years are read as 1970–2069.
          fc.pre(name !== 'D/M/YY' || (day.year >= 1970 && day.year <= 2069))
          const { text, monthFirst } = format(day)
          const document = `${before} ${text} ${after}`
          const found = findDates(document)
          expect(found).toHaveLength(1)
          const [date] = found
          expect(date && resolveDate(date, monthFirst)).toBe(day.iso)
          expect(date?.text).toBe(text)
          expect(date?.index).toBe(before.length + 1)
          expect(date?.line).toBe(before.split('\n').length)
        }),
      )
    })
  }

  it('reads an ambiguous numeric date both ways, and only the way that is a date when one is not', () => {
    expect(findDates('02/12/2026')).toEqual([
      expect.objectContaining({ dayFirst: '2026-12-02', monthFirst: '2026-02-12' }),
    ])
    expect(findDates('13/02/2026')).toEqual([
      expect.objectContaining({ dayFirst: '2026-02-13', monthFirst: null }),
    ])
    const [thirteenth] = findDates('13/02/2026')
    expect(thirteenth && resolveDate(thirteenth, true)).toBe('2026-02-13')
  })

  it('finds no date in what only looks like one', () => {
    const noDates = [
      'Sort code 20-45-77',
      'Sort code 01-11-26',
      '31/02/2026',
      '2026-13-01',
      '120/11/2026',
      'Mayor 12 2026',
      '12 Mayo2026',
      'Account 12 11 2026',
      'Call 0800 123 4567',
    ]
    for (const text of noDates) expect(findDates(text), text).toEqual([])
  })

  it('never throws, and every date it finds exists in the calendar and is printed in the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        for (const date of findDates(text)) {
          expect(text.slice(date.index, date.index + date.text.length)).toBe(date.text)
          for (const iso of [date.dayFirst, date.monthFirst])
            if (iso !== null) expect(new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10)).toBe(iso)
        }
      }),
    )
  })
})

describe('labelled', () => {
  it('marks a date printed after a label naming the issue date, and no other', () => {
    const text = [
      'Statement date: 12 November 2026',
      'Payment due: 2 December 2026',
      'Mrs Jane Doe    Date of issue 01/11/2026',
      'Rechnungsdatum: 03.11.2026   Fälligkeitsdatum: 20.11.2026',
      'Billing period 12/10/2026 to 11/11/2026',
    ].join('\n')
    expect(findDates(text).map((date) => [date.text, date.labelled])).toEqual([
      ['12 November 2026', true],
      ['2 December 2026', false],
      ['01/11/2026', true],
      ['03.11.2026', true],
      ['20.11.2026', false],
      ['12/10/2026', false],
      ['11/11/2026', false],
    ])
  })
})

describe('writesMonthFirst', () => {
  it('is the US way and its territories, not the rest of the world', () => {
    expect(['US', 'us', 'USA', 'PR', 'PH'].map(writesMonthFirst)).toEqual([true, true, true, true, true])
    expect(['GB', 'FR', 'DE', 'CA', null, undefined].map(writesMonthFirst)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ])
  })
})

describe('latestDateUpTo', () => {
  it('is the latest date not after today, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(calendarDay.map((d) => d.iso)), calendarDay, (dates, today) => {
        const latest = latestDateUpTo(dates, today.iso)
        const past = dates.filter((date) => date <= today.iso)
        if (past.length === 0) expect(latest).toBeNull()
        else {
          expect(past).toContain(latest)
          for (const date of past) expect(date <= (latest as string)).toBe(true)
        }
      }),
    )
  })
})
