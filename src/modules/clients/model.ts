import type { Region } from '../../db/database.ts'
import type { ClientMode, ClientStatus } from '../../db/schema.ts'

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
  allowedOrigins: string[]
  /** Origins allowed to embed the hosted pages (webview or iframe); none by default. */
  frameAncestors: string[]
  requireProofOfAddress: boolean
  /** Link the hosted pages offer when the user is done; null: the user is told to close the page. */
  returnUrl: string | null
  createdAt: number
  updatedAt: number
  secretRotatedAt: number
  disabledAt: number | null
}

/** What `client create` and `client rotate-secret` return: the only moment the secret exists in clear. */
export type ClientWithSecret = { client: Client; secretKey: string }
