import type { Region } from '../../db/database.ts'
import { generateSecret } from '../../lib/tokens.ts'
import { tokenRegion } from '../auth/index.ts'

// Codes and refresh tokens name their region in clear like access tokens (US_…, INTL_…), so the token
// endpoint finds the right database from the credential itself, whatever header the caller sends.
const REGION_PREFIX: Record<Region, string> = { us: 'US_', intl: 'INTL_' }

export const newCredential = (region: Region, kind: 'ac' | 'rt'): string =>
  generateSecret(`${REGION_PREFIX[region]}${kind}_`)

export const credentialRegion = (credential: string): Region | undefined => tokenRegion(credential)
