/**
 * Finds the dates printed on a bill or statement: `12 November 2026`, `12th Nov 2026`, `12. März 2026`,
 * `12 de marzo de 2026`, `November 12, 2026`, `12-Nov-2026`, `2026-11-12`, `12.11.2026`, `12/11/2026`
 * (or `11/12/2026` in the US), two-digit years in numeric dates. Month names in English, French,
 * German, Spanish, Italian, Portuguese and Dutch, full or abbreviated, with or without their accents
 * (OCR often drops them). Pure: the analysis thread runs it on the text, the check resolves the readings.
 */

/** One date found in the text. `dayFirst`/`monthFirst` differ only for numeric dates such as 02/12/2026. */
export type FoundDate = {
  /** As printed. */
  text: string
  /** Offset of the first character in the text, and the 1-based line it is on. */
  index: number
  line: number
  /** ISO `YYYY-MM-DD` read day first (02/12/2026 → 2 December), `null` when that reading is no date. */
  dayFirst: string | null
  /** ISO read month first (02/12/2026 → 12 February), `null` when that reading is no date. */
  monthFirst: string | null
  /** Printed right after a label that names it the document's date (`Statement date:`, `Date of issue`). */
  labelled: boolean
}

/**
 * Labels that name the date after them as the date the document was issued, in the languages of the
 * month names. A due date, a billing period or a transaction date carries none of them.
 */
const ISSUE_LABEL = new RegExp(
  `(?<!\\p{L})(?:${[
    '(?:statement|bill|billing|invoice|issue|letter|document|print)\\s+date',
    'date\\s+of\\s+(?:issue|statement|invoice|bill)',
    'issued(?:\\s+on)?',
    'dated',
    "date\\s+d['’e]\\s*(?:[ée]mission|facture)",
    'fecha(?:\\s+de\\s+(?:emisi[óo]n|factura))?',
    'rechnungsdatum',
    'ausstellungsdatum',
    'datum',
    'data\\s+(?:di\\s+|de\\s+)?emiss(?:ione|[ãa]o)',
    'factuurdatum',
  ].join('|')})\\s*[:.-]?\\s*$`,
  'iu',
)

/** How far before a date its label may start, on the same line. */
const LABEL_REACH = 40

const MONTH_NAMES: Record<number, string[]> = {
  1: [
    'january',
    'jan',
    'janvier',
    'janv',
    'januar',
    'jänner',
    'jaenner',
    'enero',
    'ene',
    'gennaio',
    'gen',
    'janeiro',
    'januari',
  ],
  2: [
    'february',
    'feb',
    'febr',
    'février',
    'févr',
    'fév',
    'februar',
    'febrero',
    'febbraio',
    'fevereiro',
    'fev',
    'februari',
  ],
  3: ['march', 'mar', 'mars', 'märz', 'maerz', 'mär', 'marzo', 'março', 'maart', 'mrt'],
  4: ['april', 'apr', 'avril', 'avr', 'abril', 'abr', 'aprile'],
  5: ['may', 'mai', 'mayo', 'maggio', 'mag', 'maio', 'mei'],
  6: ['june', 'jun', 'juin', 'juni', 'junio', 'giugno', 'giu', 'junho'],
  7: ['july', 'jul', 'juillet', 'juil', 'juli', 'julio', 'luglio', 'lug', 'julho'],
  8: ['august', 'aug', 'août', 'aout', 'agosto', 'ago', 'augustus'],
  9: ['september', 'sep', 'sept', 'septembre', 'septiembre', 'setiembre', 'settembre', 'set', 'setembro'],
  10: ['october', 'oct', 'octobre', 'oktober', 'okt', 'octubre', 'ottobre', 'ott', 'outubro', 'out'],
  11: ['november', 'nov', 'novembre', 'noviembre', 'novembro'],
  12: ['december', 'dec', 'décembre', 'déc', 'dezember', 'dez', 'diciembre', 'dic', 'dicembre', 'dezembro'],
}

/** Lower case without accents: `Décembre` and an OCR's `Decembre` are the same month. */
const fold = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

const MONTH_OF = new Map<string, number>(
  Object.entries(MONTH_NAMES).flatMap(([month, names]) =>
    names.flatMap((name) => [[name, Number(month)] as const, [fold(name), Number(month)] as const]),
  ),
)

const escapeRegExp = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
// Longest first, so that `sept` wins over `sep` and `march` over `mar`.
const MONTH = `(?:${[...MONTH_OF.keys()]
  .sort((a, b) => b.length - a.length)
  .map(escapeRegExp)
  .join('|')})`

const DAY = '(?:0?[1-9]|[12]\\d|3[01])'
const ORDINAL = '(?:st|nd|rd|th|er|e|º|°)?'
// A named date's parts are apart by spaces, a hyphen or a slash (12-Nov-2026), after an optional dot.
const GAP = '\\.?(?:\\s+|\\s*[-/]\\s*)'

/**
 * Every form, tried left to right at each position; a match is bounded by non-alphanumerics so that
 * `Mayor` is no month and `120/11/2026` no date.
 */
const FORMS = [
  // 2026-11-12, 2026/11/12, 2026.11.12
  `(?<isoYear>(?:19|20)\\d{2})(?<isoSep>[-/.])(?<isoMonth>0?[1-9]|1[0-2])\\k<isoSep>(?<isoDay>${DAY})`,
  // 12 November 2026, 12th of Nov. 2026, 12. März 2026, 12 de marzo de 2026, 12-Nov-2026
  `(?<dmyDay>${DAY})${ORDINAL}${GAP}(?:(?:of|de|del)\\s+)?(?<dmyMonth>${MONTH})\\.?,?(?:\\s+|\\s*[-/]\\s*)(?:(?:de|del)\\s+)?(?<dmyYear>(?:19|20)\\d{2})`,
  // November 12, 2026, Nov 12th 2026
  `(?<mdyMonth>${MONTH})${GAP}(?<mdyDay>${DAY})${ORDINAL},?\\s+(?<mdyYear>(?:19|20)\\d{2})`,
  // 12/11/2026, 12.11.2026, 12-11-2026, 12/11/26; not 12-11-26, which is how sort codes are written
  `(?<first>\\d{1,2})(?<sep>[/.-])(?<second>\\d{1,2})\\k<sep>(?<year>(?:19|20)?\\d{2})`,
]
const DATE_PATTERN = new RegExp(`(?<![\\p{L}\\p{N}])(?:${FORMS.join('|')})(?![\\p{L}\\p{N}])`, 'giu')

/** ISO for a calendar date that exists, else `null`. */
const isoDate = (year: number, month: number, day: number): string | null => {
  if (month < 1 || month > 12 || day < 1) return null
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** Two-digit years are this century's below 70 (bills are recent; birth years are not read here). */
const fullYear = (digits: string) => {
  const year = Number(digits)
  return digits.length === 4 ? year : year < 70 ? 2000 + year : 1900 + year
}

const monthNumber = (name: string) => MONTH_OF.get(name.toLowerCase()) ?? MONTH_OF.get(fold(name)) ?? 0

const readingsOf = (
  groups: Record<string, string | undefined>,
): Pick<FoundDate, 'dayFirst' | 'monthFirst'> => {
  const same = (iso: string | null) => ({ dayFirst: iso, monthFirst: iso })
  if (groups.isoYear)
    return same(isoDate(Number(groups.isoYear), Number(groups.isoMonth), Number(groups.isoDay)))
  if (groups.dmyYear)
    return same(isoDate(Number(groups.dmyYear), monthNumber(groups.dmyMonth ?? ''), Number(groups.dmyDay)))
  if (groups.mdyYear)
    return same(isoDate(Number(groups.mdyYear), monthNumber(groups.mdyMonth ?? ''), Number(groups.mdyDay)))
  if (groups.sep === '-' && groups.year?.length === 2) return same(null)
  const year = fullYear(groups.year ?? '')
  const first = Number(groups.first)
  const second = Number(groups.second)
  const dayFirst = isoDate(year, second, first)
  // Dotted dates are day first wherever they are written (12.11.2026 is never 11 December).
  if (groups.sep === '.') return same(dayFirst)
  return { dayFirst, monthFirst: isoDate(year, first, second) }
}

/** Every date in the text, in the order they appear. */
export const findDates = (text: string): FoundDate[] => {
  const found: FoundDate[] = []
  for (const match of text.matchAll(DATE_PATTERN)) {
    const readings = readingsOf(match.groups ?? {})
    if (readings.dayFirst === null && readings.monthFirst === null) continue
    const lineStart = text.lastIndexOf('\n', match.index - 1) + 1
    found.push({
      text: match[0],
      index: match.index,
      line: text.slice(0, match.index).split('\n').length,
      ...readings,
      labelled: ISSUE_LABEL.test(text.slice(Math.max(lineStart, match.index - LABEL_REACH), match.index)),
    })
  }
  return found
}

/**
 * Countries that write numeric dates month first. Everywhere else 02/12/2026 is 2 December; a reading
 * that is no date (13/02/2026 read month first) gives way to the other whatever the country.
 */
const MONTH_FIRST_COUNTRIES = new Set([
  'US',
  'USA',
  'PR',
  'PRI',
  'GU',
  'GUM',
  'VI',
  'VIR',
  'AS',
  'ASM',
  'MP',
  'MNP',
  'UM',
  'UMI',
  'PH',
  'PHL',
  'FM',
  'FSM',
  'MH',
  'MHL',
  'PW',
  'PLW',
  'BZ',
  'BLZ',
])

export const writesMonthFirst = (country: string | null | undefined): boolean =>
  country !== null && country !== undefined && MONTH_FIRST_COUNTRIES.has(country.toUpperCase())

/** The date a found date means where it was written. */
export const resolveDate = (date: FoundDate, monthFirst: boolean): string | null =>
  monthFirst ? (date.monthFirst ?? date.dayFirst) : (date.dayFirst ?? date.monthFirst)

/**
 * The latest date that is not after `today` (ISO), `null` when there is none. A statement's due date
 * and review dates lie ahead of its issue date and drop out; the billing period and transactions lie
 * before it.
 */
export const latestDateUpTo = (dates: readonly string[], today: string): string | null =>
  dates
    .filter((date) => date <= today)
    .reduce<string | null>((latest, date) => (latest === null || date > latest ? date : latest), null)
