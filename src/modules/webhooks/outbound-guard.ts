import { lookup as dnsLookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

/**
 * Webhook URLs are chosen by clients, so without a guard any client could make the server call its own
 * network: the cloud metadata service (credentials), admin consoles on loopback, databases on private
 * ranges. Every address a host resolves to is classified at send time, and the request then connects to
 * the address that was checked, so a DNS answer that changes between check and connect (rebinding)
 * cannot slip through.
 */
const RANGES: ReadonlyArray<readonly [label: string, cidr: string]> = [
  // The metadata addresses first: they are also link-local / unique-local, but deserve their own name.
  ['metadata', '169.254.169.254/32'],
  ['metadata', 'fd00:ec2::254/128'],
  ['unspecified', '0.0.0.0/8'],
  ['private', '10.0.0.0/8'],
  ['cgnat', '100.64.0.0/10'],
  ['loopback', '127.0.0.0/8'],
  ['link-local', '169.254.0.0/16'],
  ['private', '172.16.0.0/12'],
  ['reserved', '192.0.0.0/24'],
  ['private', '192.168.0.0/16'],
  ['reserved', '198.18.0.0/15'],
  ['multicast', '224.0.0.0/4'],
  ['reserved', '240.0.0.0/4'],
  ['unspecified', '::/128'],
  ['loopback', '::1/128'],
  ['unique-local', 'fc00::/7'],
  ['link-local', 'fe80::/10'],
  ['multicast', 'ff00::/8'],
]

const lists = RANGES.map(([label, cidr]) => {
  const [network, prefix] = cidr.split('/') as [string, string]
  const family = isIP(network) === 6 ? 'ipv6' : 'ipv4'
  const list = new BlockList()
  list.addSubnet(network, Number(prefix), family)
  return { label, list, family }
})

/** An IPv4 address carried inside an IPv6 one (::ffff:a.b.c.d, NAT64 64:ff9b::/96), if any. */
const embeddedIpv4 = (address: string): string | undefined => {
  const match = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(
    address,
  )
  if (!match) return undefined
  if (match[1]) return match[1]
  const high = Number.parseInt(match[2] as string, 16)
  const low = Number.parseInt(match[3] as string, 16)
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}

/** The kind of non-public address this is, or undefined for a public unicast address. */
export const classifyAddress = (address: string): string | undefined => {
  const mapped = embeddedIpv4(address)
  if (mapped) return classifyAddress(mapped)
  const family = isIP(address) === 6 ? 'ipv6' : isIP(address) === 4 ? 'ipv4' : undefined
  if (!family) return 'invalid'
  return lists.find((entry) => entry.family === family && entry.list.check(address, family))?.label
}

export class OutboundBlockedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OutboundBlockedError'
  }
}

export const hostnameOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1')

export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

/**
 * Resolves the host once and returns the address to connect to. Refused when any address is not
 * public (unless private networks are allowed): a name with one public and one private address must
 * not be a way in.
 */
export const resolveTarget = async (
  hostname: string,
  allowPrivateNetworks: boolean,
  lookup: LookupAll = systemLookup,
): Promise<{ address: string; family: number }> => {
  const literal = isIP(hostname)
  const addresses = literal ? [{ address: hostname, family: literal }] : await lookup(hostname)
  const first = addresses[0]
  if (!first) throw new OutboundBlockedError(`${hostname} did not resolve`)
  if (!allowPrivateNetworks) {
    for (const { address } of addresses) {
      const kind = classifyAddress(address)
      if (kind)
        throw new OutboundBlockedError(`refused: ${hostname} resolves to a ${kind} address (${address})`)
    }
  }
  return first
}

type UrlRules = { requireHttps: boolean; allowPrivateNetworks: boolean }

/** Checks a webhook URL when it is configured; returns the problem, or undefined when it is acceptable. */
export const urlProblem = (raw: string, rules: UrlRules): string | undefined => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'must be an absolute http(s) URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL'
  if (rules.requireHttps && url.protocol !== 'https:') return 'must use https for a live client'
  // Credentials in a URL end up in logs and listings; receivers authenticate us by the signature.
  if (url.username || url.password) return 'must not contain credentials'
  const hostname = hostnameOf(url)
  if (!hostname) return 'must have a host'
  if (!rules.allowPrivateNetworks && isIP(hostname)) {
    const kind = classifyAddress(hostname)
    if (kind) return `must not point to a ${kind} address`
  }
  return undefined
}
