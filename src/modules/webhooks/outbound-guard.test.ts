import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { classifyAddress, OutboundBlockedError, resolveTarget, urlProblem } from './outbound-guard.ts'

const octet = fc.integer({ min: 0, max: 255 })
const ipv4 = (first: fc.Arbitrary<number>, second: fc.Arbitrary<number> = octet) =>
  fc.tuple(first, second, octet, octet).map((parts) => parts.join('.'))

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::a00:1', 'private'],
    // IPv4-compatible ::/96, IPv4-translated ::ffff:0:0:0/96, local-use NAT64 and 6to4.
    ['::10.0.0.1', 'private'],
    ['::a9fe:a9fe', 'metadata'],
    ['::127.0.0.1', 'loopback'],
    ['::ffff:0:10.1.2.3', 'private'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['64:ff9b:1::a00:1', 'local-nat64'],
    ['64:ff9b:1:ffff::8.8.8.8', 'local-nat64'],
    ['2002:a00:1::', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:a9fe:a9fe:0:0:0:0:1', 'metadata'],
    ['2002:c0a8:101::1%eth0', 'private'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind)
  })

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '::ffff:0:8.8.8.8',
    '2002:808:808::1',
    '64:ff9b::808:808',
  ])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeUndefined()
  })

  it('every address of the private IPv4 ranges is refused', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          ipv4(fc.constant(10)),
          ipv4(fc.constant(127)),
          ipv4(fc.constant(172), fc.integer({ min: 16, max: 31 })),
          ipv4(fc.constant(192), fc.constant(168)),
          ipv4(fc.constant(169), fc.constant(254)),
          ipv4(fc.constant(100), fc.integer({ min: 64, max: 127 })),
        ),
        (address) => {
          expect(classifyAddress(address)).toBeDefined()
          expect(classifyAddress(`::ffff:${address}`)).toBe(classifyAddress(address))
        },
      ),
    )
  })

  it('every IPv6 form that embeds a private IPv4 address is refused as that address', () => {
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16)
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.constant(10), octet, octet, octet),
          fc.tuple(fc.constant(127), octet, octet, octet),
          fc.tuple(fc.constant(192), fc.constant(168), octet, octet),
          fc.tuple(fc.constant(169), fc.constant(254), octet, octet),
        ),
        fc.integer({ min: 0, max: 0xffff }),
        ([a, b, c, d], subnet) => {
          const ipv4 = `${a}.${b}.${c}.${d}`
          const kind = classifyAddress(ipv4)
          for (const form of [
            `::${ipv4}`,
            `::${hex(a, b)}:${hex(c, d)}`,
            `::ffff:0:${ipv4}`,
            `0:0:0:0:ffff:0:${hex(a, b)}:${hex(c, d)}`,
            `64:ff9b::${ipv4}`,
            `2002:${hex(a, b)}:${hex(c, d)}:${subnet.toString(16)}::1`,
          ])
            expect(classifyAddress(form), form).toBe(kind)
        },
      ),
    )
  })

  it('ordinary public unicast IPv4 addresses pass', () => {
    const publicFirst = fc
      .integer({ min: 1, max: 223 })
      .filter((first) => ![10, 100, 127, 169, 172, 192, 198].includes(first))
    fc.assert(
      fc.property(ipv4(publicFirst), (address) => {
        expect(classifyAddress(address)).toBeUndefined()
      }),
    )
  })
})

describe('resolveTarget', () => {
  const lookup = (addresses: string[]) => async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))

  it('refuses a name when any of its addresses is not public', async () => {
    await expect(
      resolveTarget('mixed.example', false, lookup(['93.184.216.34', '10.0.0.5'])),
    ).rejects.toThrow(
      new OutboundBlockedError('refused: mixed.example resolves to a private address (10.0.0.5)'),
    )
  })

  it('connects to the first checked address, and allows private ones when told to', async () => {
    expect(await resolveTarget('ok.example', false, lookup(['93.184.216.34', '2606:2800::1']))).toEqual({
      address: '93.184.216.34',
      family: 4,
    })
    expect(await resolveTarget('lan.example', true, lookup(['10.0.0.5']))).toEqual({
      address: '10.0.0.5',
      family: 4,
    })
  })

  it('checks IP literals without DNS', async () => {
    const noDns = async () => {
      throw new Error('DNS must not be asked')
    }
    await expect(resolveTarget('169.254.169.254', false, noDns)).rejects.toThrow(/metadata/)
  })
})

describe('urlProblem', () => {
  const open = { requireHttps: false, allowPrivateNetworks: true }
  it.each([
    ['https://hooks.example.com/x', open, undefined],
    ['http://hooks.example.com/x', open, undefined],
    ['http://hooks.example.com/x', { ...open, requireHttps: true }, 'must use https for a live client'],
    ['https://a:b@hooks.example.com/x', open, 'must not contain credentials'],
    ['https://a@hooks.example.com/x', open, 'must not contain credentials'],
    ['javascript:alert(1)', open, 'must be an http(s) URL'],
    ['/relative', open, 'must be an absolute http(s) URL'],
    [
      'http://127.0.0.1:8080/x',
      { ...open, allowPrivateNetworks: false },
      'must not point to a loopback address',
    ],
    ['http://[::1]/x', { ...open, allowPrivateNetworks: false }, 'must not point to a loopback address'],
    ['http://127.0.0.1:8080/x', open, undefined],
  ])('%s', (url, rules, problem) => {
    expect(urlProblem(url, rules)).toBe(problem)
  })
})
