import type { Region } from '../../db/database.ts'
import type { ClientMode, ClientStatus, DocumentType } from '../../db/schema.ts'

/**
 * The client's own document acceptance. It only narrows its region's policy (configuration): fewer
 * types or countries accepted, more countries refused, an older minimum age; never the other way.
 */
export type ClientDocumentPolicy = {
  /** null: every type the region accepts. */
  documentTypes: DocumentType[] | null
  /** ISO 3166-1 alpha-2; null: every issuing country the region accepts. */
  issuingCountries: string[] | null
  /** Refused on top of the region's restricted countries. */
  restrictedCountries: string[]
  /** null: the region's minimum age. */
  minimumAge: number | null
}

/** A client (tenant) as the rest of the server sees it. The secret key itself is never kept. */
export type Client = {
  id: string
  name: string
  mode: ClientMode
  regions: Region[]
  clientKey: string
  secretHint: string
  status: ClientStatus
  redirectUris: string[]
  /** A public OAuth client (a mobile app): PKCE alone proves possession; no secret at the token endpoint. */
  publicOAuth: boolean
  allowedOrigins: string[]
  /** Origins allowed to embed the hosted pages (webview or iframe); none by default. */
  frameAncestors: string[]
  requireProofOfAddress: boolean
  /** Link the hosted pages offer when the user is done; null: the user is told to close the page. */
  returnUrl: string | null
  documentPolicy: ClientDocumentPolicy
  createdAt: number
  updatedAt: number
  secretRotatedAt: number
  disabledAt: number | null
}

/** What `client create` and `client rotate-secret` return: the only moment the secret exists in clear. */
export type ClientWithSecret = { client: Client; secretKey: string }
