import type { DocumentPolicy } from '../config/document-policy.ts'
import type { Client } from '../modules/clients/index.ts'
import type { ScreeningAlert } from '../modules/sanctions/index.ts'
import type { StaffCredentials, StaffMember } from '../modules/staff/index.ts'

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export const clientJson = (client: Client, secretKey?: string) => ({
  clientId: client.id,
  name: client.name,
  clientKey: client.clientKey,
  ...(secretKey ? { secretKey } : { secretHint: client.secretHint }),
  mode: client.mode,
  regions: client.regions,
  status: client.status,
  redirectUris: client.redirectUris,
  publicOAuth: client.publicOAuth,
  allowedOrigins: client.allowedOrigins,
  createdAt: new Date(client.createdAt).toISOString(),
})

export const describeClient = (client: Client, secretKey?: string): string => {
  const lines = [
    `client ${client.id}  ${client.name}`,
    `  mode        ${client.mode}`,
    `  regions     ${client.regions.join(', ')}`,
    `  status      ${client.status}`,
    `  clientKey   ${client.clientKey}`,
    secretKey
      ? `  secretKey   ${secretKey}    <- shown once; store it now (only its hash is kept)`
      : `  secretKey   ${client.secretHint} (hidden)`,
  ]
  if (client.redirectUris.length > 0) lines.push(`  redirects   ${client.redirectUris.join(', ')}`)
  if (client.publicOAuth) lines.push('  oauth       public client (PKCE, no secret at the token endpoint)')
  if (client.allowedOrigins.length > 0) lines.push(`  origins     ${client.allowedOrigins.join(', ')}`)
  return lines.join('\n')
}

export const firstStartWalkthrough = (publicUrl: string, client: Client, secretKey?: string): string =>
  [
    '',
    secretKey
      ? 'First start: a sandbox demo client was created for you.'
      : 'Demo sandbox client (its secret key was shown on first start; `verity client rotate-secret` makes a new one):',
    describeClient(client, secretKey),
    '',
    'Try the API:',
    `  curl -s ${publicUrl}/v1/client -H 'x-client-key: ${client.clientKey}'`,
    `  curl -s ${publicUrl}/v1/client -H 'x-client-key: ${client.clientKey}' -H 'x-us-env: true'`,
    `  API reference: ${publicUrl}/docs    OpenAPI: ${publicUrl}/openapi.json`,
    `  Health: ${publicUrl}/healthz  ${publicUrl}/readyz    Metrics: ${publicUrl}/metrics`,
    '',
  ].join('\n')

const listOr = (list: readonly string[] | 'any' | null, empty: string) =>
  list === null ? empty : list === 'any' ? 'any' : list.length === 0 ? 'none' : list.join(', ')

export const describePolicy = (client: Client, effective: Record<string, DocumentPolicy>): string => {
  const settings = client.documentPolicy
  const lines = [
    `client ${client.id}  ${client.name}: document acceptance`,
    `  document types        ${listOr(settings.documentTypes, "the region's")}`,
    `  issuing countries     ${listOr(settings.issuingCountries, "the region's")}`,
    `  also restricted       ${listOr(settings.restrictedCountries, 'none')}`,
    `  minimum age           ${settings.minimumAge ?? "the region's"}`,
  ]
  for (const [region, policy] of Object.entries(effective))
    lines.push(
      `  in ${region}: types ${listOr(policy.documentTypes, '')}; issued in ${listOr(policy.issuingCountries, '')}; refused ${listOr(policy.restrictedCountries, 'none')}; age ${policy.minimumAge}+`,
    )
  return lines.join('\n')
}
/** One line per sanctions alert (verity review list / alerts). */
export const describeAlert = (alert: ScreeningAlert): string =>
  `alert ${alert.alertId}  ${alert.region}  ${alert.status}  user ${alert.userId}  client ${alert.clientId}  ${alert.list} ${alert.entry} "${alert.evidence.hit.listedName}"  score ${alert.score.toFixed(3)}  raised ${alert.raisedAt}`

export const staffJson = (staff: StaffMember, credentials?: StaffCredentials) => ({
  id: staff.id,
  email: staff.email,
  role: staff.role,
  status: staff.status,
  createdAt: new Date(staff.createdAt).toISOString(),
  passwordChangedAt: new Date(staff.passwordChangedAt).toISOString(),
  disabledAt: staff.disabledAt === null ? null : new Date(staff.disabledAt).toISOString(),
  ...credentials,
})

/** One staff member; with their credentials right after create or reset, the only time they exist in clear. */
export const describeStaff = (staff: StaffMember, credentials?: StaffCredentials): string => {
  const lines = [`staff ${staff.id}  ${staff.email}  ${staff.role}  ${staff.status}`]
  if (credentials) {
    lines.push(
      `  password     ${credentials.password}    <- shown once; only its Argon2id hash is kept`,
      `  TOTP secret  ${credentials.totpSecret}    <- shown once; add it to an authenticator app`,
      `  otpauth URI  ${credentials.otpauthUrl}`,
      '  Hand both over in person or through a password manager, never by plain email or chat.',
    )
  }
  return lines.join('\n')
}
