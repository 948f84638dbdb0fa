import type { DocumentPolicy } from '../../config/document-policy.ts'
import type { ClientDocumentPolicy } from '../clients/index.ts'

/**
 * The policy a session is judged by: its region's (configuration), narrowed by its client's settings.
 * Narrowed only — types and countries intersected, restrictions united, the older minimum age — so no
 * client setting can make a region accept what its operator refuses.
 */
export const documentPolicyFor = (
  region: DocumentPolicy,
  client: ClientDocumentPolicy | undefined,
): DocumentPolicy => {
  const clientTypes = client?.documentTypes
  const clientCountries = client?.issuingCountries
  const regionCountries = region.issuingCountries
  return {
    documentTypes: clientTypes
      ? region.documentTypes.filter((type) => clientTypes.includes(type))
      : region.documentTypes,
    issuingCountries: !clientCountries
      ? regionCountries
      : regionCountries === 'any'
        ? clientCountries
        : regionCountries.filter((country) => clientCountries.includes(country)),
    restrictedCountries: [
      ...new Set([...region.restrictedCountries, ...(client?.restrictedCountries ?? [])]),
    ].sort(),
    minimumAge: Math.max(region.minimumAge, client?.minimumAge ?? 0),
  }
}

export const acceptsIssuingCountry = (policy: DocumentPolicy, country: string): boolean =>
  policy.issuingCountries === 'any' || policy.issuingCountries.includes(country)
