import type { Region } from '../db/database.ts'
import { type FieldProblem, throwIfProblems } from '../lib/errors.ts'

export type RegionHints = { usEnvHeader: string | undefined; regionParam: string | undefined }

/**
 * The region a request is for. `x-us-env: true` or `?region=us` route to us; absent means intl
 * (Ledger never sends the header, MetaMask always sends "true" or "false"). Any other value is a 422
 * rather than a silent fallback that would put a user in the wrong region.
 */
export const resolveRegion = ({ usEnvHeader, regionParam }: RegionHints): Region => {
  const problems: FieldProblem[] = []
  let region: Region = 'intl'

  const usEnv = usEnvHeader?.trim().toLowerCase()
  if (usEnv === 'true') region = 'us'
  else if (usEnv !== undefined && usEnv !== 'false' && usEnv !== '') {
    problems.push({ field: 'x-us-env', message: 'must be "true" or "false"' })
  }

  if (regionParam !== undefined) {
    const value = regionParam.trim().toLowerCase()
    if (value === 'us') region = 'us'
    else if (value !== 'intl') problems.push({ field: 'region', message: 'must be "us" or "intl"' })
  }

  throwIfProblems(problems)
  return region
}
