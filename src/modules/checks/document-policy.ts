import type { DocumentData } from './analysis/document-data.ts'
import type { Check, CheckFinding } from './check.ts'
import { documentCountry } from './document-countries.ts'
import { acceptsIssuingCountry } from './policy.ts'

/** What the document's own codes say its type is, when they say it clearly. */
const typeMismatch = (chosen: string, document: DocumentData): boolean => {
  const code = (document.documentCode ?? '').replaceAll('<', '').toUpperCase()
  if (document.format === 'AAMVA') return chosen !== 'driving_licence' && chosen !== 'id_card'
  if (code === '') return false
  // ICAO 9303: P… is a passport; I, A and C are the other travel documents (ID cards, permits).
  return code.startsWith('P') !== (chosen === 'passport')
}

/**
 * Is this document accepted for this user: its type and issuing country by the policy of the session's
 * region narrowed by the client (policy.ts), and neither the country of residence nor the country of
 * issue restricted. What the user chose is judged, and what the document itself says is compared with
 * it: a document that disagrees with the choice (another country, another type) goes to a person, even
 * when the country it names is restricted — a misread letter must not refuse someone for good.
 */
export const documentPolicy: Check = {
  id: 'document-policy',
  version: '1',
  kind: 'document-policy',
  appliesTo: ({ sandbox }) => !sandbox,
  run: ({ input, analysis, identity, user, policy }): CheckFinding => {
    const residence = identity?.snapshot.countryOfResidence ?? user.country_of_residence
    const chosenType = input.documentType
    const chosenCountry = input.issuingCountry?.toUpperCase() ?? null
    const document = analysis.documentData
    const documentSays = document
      ? {
          issuingCountry: document.issuingCountry,
          issuingCountryIso: documentCountry(document.issuingCountry),
          nationality: document.nationality,
          documentCode: document.documentCode,
          format: document.format,
        }
      : null
    const evidence = {
      residence,
      chosen: { documentType: chosenType, issuingCountry: chosenCountry },
      documentSays,
      policy: {
        documentTypes: policy.documentTypes,
        issuingCountries: policy.issuingCountries,
        restrictedCountries: policy.restrictedCountries,
      },
    }
    const restricted = (country: string | null) =>
      country !== null && policy.restrictedCountries.includes(country)

    // What the user registered and chose is their own statement: refused outright when restricted.
    if (restricted(residence) || restricted(chosenCountry))
      return { outcome: 'fail', reason: 'RESTRICTED_COUNTRY', evidence }
    if (chosenType === null || chosenCountry === null) return { outcome: 'inconclusive', evidence }
    if (!policy.documentTypes.includes(chosenType))
      return { outcome: 'fail', reason: 'UNSUPPORTED_DOCUMENT', evidence }
    if (!acceptsIssuingCountry(policy, chosenCountry))
      return { outcome: 'fail', reason: 'COUNTRY_NOT_SUPPORTED', evidence }
    if (document && documentSays) {
      // A code that names no country (an organisation, a misread) cannot be compared: a person looks.
      if (document.issuingCountry !== null && documentSays.issuingCountryIso !== chosenCountry)
        return {
          outcome: 'inconclusive',
          ...(restricted(documentSays.issuingCountryIso) ? { reason: 'RESTRICTED_COUNTRY' as const } : {}),
          evidence,
        }
      if (typeMismatch(chosenType, document)) return { outcome: 'inconclusive', evidence }
    }
    return { outcome: 'pass', evidence }
  },
}
