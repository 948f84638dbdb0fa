import type { UserRow } from '../../db/schema.ts'
import { countryCode, type ScreenedPerson } from '../sanctions/index.ts'
import type { DocumentData } from './analysis/document-data.ts'
import type { CheckContext } from './check.ts'

const unique = (values: (string | null | undefined)[]): string[] => [
  ...new Set(values.filter((value): value is string => Boolean(value))),
]

/**
 * Who a submission screens: the registered name (as frozen at submission) and the name read off the
 * document, with both birth dates and both nationalities. Both names are screened; the worse counts.
 */
export const screenedPerson = (
  registered: {
    firstName: string | null
    lastName: string | null
    dateOfBirth: string | null
    nationality: string | null
  },
  document: DocumentData | undefined,
): ScreenedPerson => ({
  names: [
    { source: 'registration', given: registered.firstName, family: registered.lastName },
    ...(document ? [{ source: 'document', given: document.givenNames, family: document.surname }] : []),
  ],
  datesOfBirth: unique([registered.dateOfBirth, document?.dateOfBirth]),
  nationalities: unique([
    registered.nationality ? countryCode(registered.nationality) : undefined,
    document?.nationality ? countryCode(document.nationality) : undefined,
  ]),
})

export const screenedPersonOfSubmission = ({ identity, user, analysis }: CheckContext): ScreenedPerson =>
  screenedPerson(
    identity
      ? {
          firstName: identity.snapshot.firstName,
          lastName: identity.snapshot.lastName,
          dateOfBirth: identity.snapshot.dateOfBirth,
          nationality: identity.snapshot.countryOfNationality,
        }
      : registeredOf(user),
    analysis.documentData,
  )

export const registeredOf = (user: UserRow) => ({
  firstName: user.first_name,
  lastName: user.last_name,
  dateOfBirth: user.date_of_birth,
  nationality: user.country_of_nationality,
})
