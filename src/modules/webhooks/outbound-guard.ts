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
  // Local-use NAT64 (RFC 8215): translated inside the operator's own network, whatever IPv4 it embeds.
  ['local-nat64', '64:ff9b:1::/48'],
]

const lists = RANGES.map(([label, cidr]) => {
  const [network, prefix] = cidr.split('/') as [string, string]
  const family = isIP(network) === 6 ? 'ipv6' : 'ipv4'
  const list = new BlockList()
  list.addSubnet(network, Number(prefix), family)
  return { label, list, family }
})

/** The eight 16-bit groups of an IPv6 address that `isIP` accepted (zone id dropped). */
const ipv6Groups = (address: string): number[] => {
  const [withoutZone = ''] = address.split('%')
  let text = withoutZone
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16))
  const first = parse(head)
  if (tail === undefined) return first
  const last = parse(tail)
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last]
}

const ipv4From = (high: number, low: number): string => [high >> 8, high & 255, low >> 8, low & 255].join('.')

/**
 * The IPv4 address an IPv6 one stands for, if it embeds one in a form that reaches that IPv4 host:
 * IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, IPv4-compatible ::/96, NAT64
 * 64:ff9b::/96 and 6to4 2002::/16 (whose relay delivers to the embedded address).
 */
const embeddedIpv4 = (address: string): string | undefined => {
  const g = ipv6Groups(address)
  const zerosUpTo = (end: number) => g.slice(0, end).every((group) => group === 0)
  const [g6 = 0, g7 = 0] = [g[6], g[7]]
  if (zerosUpTo(5) && g[5] === 0xffff) return ipv4From(g6, g7)
  if (zerosUpTo(4) && g[4] === 0xffff && g[5] === 0) return ipv4From(g6, g7)
  if (zerosUpTo(6)) return ipv4From(g6, g7)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0)) return ipv4From(g6, g7)
  if (g[0] === 0x2002) return ipv4From(g[1] ?? 0, g[2] ?? 0)
  return undefined
}

/** The kind of non-public address this is, or undefined for a public unicast address. */
export const classifyAddress = (address: string): string | undefined => {
  const family = isIP(address) === 6 ? 'ipv6' : isIP(address) === 4 ? 'ipv4' : undefined
  if (!family) return 'invalid'
  // IPv6's own ranges first, so that :: and ::1 keep their names rather than those of 0.0.0.0/8.
  const own = lists.find((entry) => entry.family === family && entry.list.check(address, family))?.label
  if (own) return own
  if (family === 'ipv4') return undefined
  const embedded = embeddedIpv4(address)
  return embedded ? classifyAddress(embedded) : undefined
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
