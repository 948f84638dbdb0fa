import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findName, findPostcode, findStreet, words } from './address-match.ts'

const BILL = `Northern Lights Energy
Customer services 0800 123 4567
Mrs Jane Doe                 Statement date: 12 November 2026
12 Baker St                  Account number: 8840 2211 07
London
NW1 6XE
Smith & Sons Electrical, John Street`

describe('words', () => {
  it('transliterates, lower-cases and splits on anything that is not a letter or digit', () => {
    expect(words("Zoë O'Brien-Łukasz, 12a")).toEqual(['zoe', 'o', 'brien', 'lukasz', '12a'])
    expect(words('Müller  Straße')).toEqual(['muller', 'strasse'])
  })
})

describe('findName', () => {
  it('finds the registered name on one line, whatever titles and columns share it', () => {
    const match = findName(BILL, { firstName: 'Jane', lastName: 'Doe' }, 0.9)
    expect(match).toMatchObject({ found: true, score: 1, line: 3 })
  })

  it('requires the first given name and the surname, not middle names', () => {
    expect(findName(BILL, { firstName: 'Jane Mary', lastName: 'Doe' }, 0.9).found).toBe(true)
    expect(findName(BILL, { firstName: 'Mary Jane', lastName: 'Doe' }, 0.9).found).toBe(false)
  })

  it('does not make a name of words on unrelated lines, nor of an initial', () => {
    // "John" is on the last line and "Smith" too, but "Jane Doe" is who the bill is for.
    expect(findName(BILL, { firstName: 'John', lastName: 'Doe' }, 0.9).found).toBe(false)
    expect(findName('Mr J Doe\n12 Baker St', { firstName: 'Jane', lastName: 'Doe' }, 0.9).found).toBe(false)
    expect(findName('Jane\n\n\nDoe', { firstName: 'Jane', lastName: 'Doe' }, 0.9).found).toBe(false)
  })

  it('forgives an OCR slip in one letter of a long name, not another name', () => {
    const text = 'Mr Alexander Kowalczyk'
    expect(
      findName(
        text.replace('Kowalczyk', 'Kowa1czyk'),
        { firstName: 'Alexander', lastName: 'Kowalczyk' },
        0.9,
      ),
    ).toMatchObject({ found: true })
    expect(findName(text, { firstName: 'Alexandra', lastName: 'Kowalski' }, 0.9).found).toBe(false)
  })

  it('finds a registered name printed in any case, with or without its diacritics, in any order', () => {
    const name = fc.constantFrom('José', 'Zoë', 'Łukasz', 'Ana', 'Søren', 'Siobhán')
    const surname = fc.constantFrom('Núñez', 'Müller', "O'Brien", 'Kowalczyk', 'Dvořák')
    fc.assert(
      fc.property(name, surname, fc.boolean(), fc.boolean(), (first, last, upper, surnameFirst) => {
        const printed = surnameFirst ? `${last}, ${first}` : `${first} ${last}`
        const text = `Account holder\n${upper ? printed.toUpperCase() : printed.normalize('NFD').replace(/\p{M}/gu, '')}\n1 High Street`
        expect(findName(text, { firstName: first, lastName: last }, 0.9).found).toBe(true)
      }),
    )
  })

  it('finds nothing for an empty registered name', () => {
    expect(findName(BILL, { firstName: '', lastName: '' }, 0.9)).toMatchObject({ found: false, line: null })
  })
})

describe('findStreet', () => {
  it('reads street abbreviations as the words they stand for, on either side', () => {
    expect(findStreet(BILL, '12 Baker Street', 0.9)).toMatchObject({ found: true, line: 4 })
    expect(findStreet('350 Fifth Avenue, Apt 5B', '350 Fifth Ave Apartment 5B', 0.9).found).toBe(true)
  })

  it('needs the house number exactly', () => {
    expect(findStreet(BILL, '14 Baker Street', 0.9).found).toBe(false)
    expect(findStreet(BILL, '12 Baker Street', 0.9).words[0]).toEqual({ word: '12', score: 1, seenAs: '12' })
  })
})

describe('findPostcode', () => {
  it('finds the postcode exactly, spaced or not, in any case', () => {
    expect(findPostcode(BILL, 'NW1 6XE')).toBe(true)
    expect(findPostcode('London NW16XE', 'nw1 6xe')).toBe(true)
    expect(findPostcode('London nw1 6xe', 'NW1 6XE')).toBe(true)
    expect(findPostcode(BILL, 'NW1 6XF')).toBe(false)
  })

  it('does not find a ZIP inside a longer number, and finds a ZIP+4 by its five digits', () => {
    expect(findPostcode('Account 4594110123', '94110')).toBe(false)
    expect(findPostcode('San Francisco, CA 94110-1234', '94110')).toBe(true)
    expect(findPostcode('San Francisco, CA 94110', '94110-1234')).toBe(true)
  })

  it('finds any postcode it is given among other text, and no other', () => {
    const postcode = fc.stringMatching(/^[A-Z]{1,2}\d{1,2} \d[A-Z]{2}$/)
    fc.assert(
      fc.property(postcode, postcode, (registered, other) => {
        expect(findPostcode(`Jane Doe\n12 Baker Street\n${registered}\nRef 77`, registered)).toBe(true)
        fc.pre(registered.replace(' ', '') !== other.replace(' ', ''))
        expect(findPostcode(`Jane Doe\n12 Baker Street\n${other}\nRef 77`, registered)).toBe(false)
      }),
    )
  })
})
