import type { DocumentPolicy } from '../config/document-policy.ts'
import type { Client } from '../modules/clients/index.ts'
import type { ScreeningAlert } from '../modules/sanctions/index.ts'

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
