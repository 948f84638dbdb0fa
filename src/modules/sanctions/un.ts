import { XMLParser, XMLValidator } from 'fast-xml-parser'
import {
  countryCode,
  type ListedEntry,
  malformed,
  type ParsedList,
  parseListedDate,
  unique,
} from './listed-entry.ts'

/**
 * The UN Security Council consolidated list as XML (https://scsanctions.un.org/resources/xml/en/
 * consolidated.xml), read as Watchman reads it (pkg/sources/csl_un): CONSOLIDATED_LIST with
 * INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY. A person's name is FIRST_NAME … FOURTH_NAME; aliases
 * carry a QUALITY, and the UN itself calls the `Low` ones too vague to identify anyone (kept as weak).
 */
const REPEATED = new Set([
  'INDIVIDUAL',
  'ENTITY',
  'INDIVIDUAL_ALIAS',
  'ENTITY_ALIAS',
  'VALUE',
  'INDIVIDUAL_DATE_OF_BIRTH',
])

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => REPEATED.has(name),
})

type Node = Record<string, unknown>
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
const nodes = (value: unknown): Node[] =>
  Array.isArray(value) ? (value.filter((each) => each && typeof each === 'object') as Node[]) : []

/** The line of every `<TAG>` start in the file, in document order. */
const startLines = (xml: string, tag: string): number[] => {
  const lines: number[] = []
  const pattern = new RegExp(`<${tag}[\\s>]`, 'g')
  let line = 1
  let scanned = 0
  for (let match = pattern.exec(xml); match; match = pattern.exec(xml)) {
    for (let at = scanned; at < match.index; at++) if (xml.charCodeAt(at) === 10) line++
    scanned = match.index
    lines.push(line)
  }
  return lines
}

const dateOfBirth = (node: Node): string | undefined => {
  const type = text(node.TYPE_OF_DATE)?.toUpperCase()
  const date = text(node.DATE)
  const year = text(node.YEAR)
  if (type === 'BETWEEN' && text(node.FROM_YEAR) && text(node.TO_YEAR))
    return `${text(node.FROM_YEAR)}/${text(node.TO_YEAR)}`
  if (date) return parseListedDate(date.slice(0, 10))
  if (year) return type === 'APPROXIMATELY' ? parseListedDate(`circa ${year}`) : parseListedDate(year)
  return undefined
}

const entriesOf = (list: Node[], kind: 'individual' | 'entity', lines: number[]): ListedEntry[] =>
  list.map((node, index) => {
    const line = lines[index] ?? 1
    const name = ['FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME']
      .map((part) => text(node[part]))
      .filter(Boolean)
      .join(' ')
    const reference = text(node.REFERENCE_NUMBER) ?? text(node.DATAID)
    if (!name) throw malformed(line, `${kind} without a name (FIRST_NAME … FOURTH_NAME)`)
    if (!reference) throw malformed(line, `${kind} without a REFERENCE_NUMBER or DATAID`)
    const aliases = nodes(node[kind === 'individual' ? 'INDIVIDUAL_ALIAS' : 'ENTITY_ALIAS']).flatMap(
      (alias) => {
        const aliasName = text(alias.ALIAS_NAME)
        return aliasName ? [{ name: aliasName, weak: text(alias.QUALITY)?.toLowerCase() === 'low' }] : []
      },
    )
    const nationality = node.NATIONALITY as Node | undefined
    return {
      reference,
      kind,
      name,
      aliases,
      datesOfBirth: unique(nodes(node.INDIVIDUAL_DATE_OF_BIRTH).flatMap((each) => dateOfBirth(each) ?? [])),
      nationalities: unique(
        (Array.isArray(nationality?.VALUE) ? nationality.VALUE : []).flatMap(
          (value: unknown) => countryCode(text(value) ?? '') ?? [],
        ),
      ),
      programs: [text(node.UN_LIST_TYPE)].filter((each): each is string => each !== undefined),
      line,
    }
  })

export const parseUnConsolidated = (xml: string): ParsedList => {
  const valid = XMLValidator.validate(xml)
  if (valid !== true) throw malformed(valid.err.line, `not well-formed XML: ${valid.err.msg}`)
  const root = (parser.parse(xml) as Node).CONSOLIDATED_LIST as Node | undefined
  if (!root) throw malformed(1, 'not a UN consolidated list (no CONSOLIDATED_LIST element)')
  const individuals = nodes((root.INDIVIDUALS as Node | undefined)?.INDIVIDUAL)
  const entities = nodes((root.ENTITIES as Node | undefined)?.ENTITY)
  return {
    entries: [
      ...entriesOf(individuals, 'individual', startLines(xml, 'INDIVIDUAL')),
      ...entriesOf(entities, 'entity', startLines(xml, 'ENTITY')),
    ],
    publishedAt: text(root['@dateGenerated']) ?? null,
  }
}
