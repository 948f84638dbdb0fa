import type { Client, ClientWithSecret } from './model.ts'
import { type ClientDeps, createClient, listClients } from './service.ts'

export const DEMO_CLIENT_NAME = 'Demo sandbox client'

export type DemoClient =
  | { created: true; client: Client; secretKey: string }
  | { created: false; client: Client }

/**
 * First start in development: with no client at all, create one sandbox client enabled in both
 * regions so that the API can be tried at once. Its secret exists in clear only in the returned value.
 */
export const ensureDemoClient = async (
  deps: ClientDeps,
  publicUrl: string,
): Promise<DemoClient | undefined> => {
  const clients = await listClients(deps)
  if (clients.length === 0) {
    const origin = new URL(publicUrl).origin
    const loopback =
      /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin) || origin.startsWith('https://')
    const { client, secretKey }: ClientWithSecret = await createClient(
      deps,
      {
        name: DEMO_CLIENT_NAME,
        mode: 'sandbox',
        regions: ['intl', 'us'],
        redirectUris: loopback ? [`${origin}/callback`] : [],
        allowedOrigins: loopback ? [origin] : [],
      },
      'system',
    )
    return { created: true, client, secretKey }
  }
  const demo = clients.find((client) => client.name === DEMO_CLIENT_NAME && client.status === 'active')
  return demo ? { created: false, client: demo } : undefined
}
