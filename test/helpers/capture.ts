import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { api, register, sandboxCodes } from './accounts.ts'
import type { TestApp } from './app.ts'

let sequence = 0

/** A fully registered sandbox user (code 000000), named as the sandbox scenario asks (Test Approved by default). */
export const registerSandboxUser = async (
  t: TestApp,
  clientKey: string,
  options: { firstName?: string; lastName?: string; region?: 'intl' | 'us' } = {},
) => {
  sequence += 1
  const region = options.region ?? 'intl'
  const number = `74002${String(10000 + sequence).slice(-5)}`
  const email = `capture${sequence}-${Date.now()}@example.com`
  const registered = await register(t.app, clientKey, sandboxCodes, {
    email,
    password: 'correct horse battery',
    region,
    country: region === 'us' ? 'US' : 'GB',
    phone:
      region === 'us'
        ? { countryCode: '+1', number: '2015550177', e164: '+12015550177' }
        : { countryCode: '+44', number, e164: `+44${number}` },
    ...(region === 'us' ? { ssn: '123-45-6789', usState: 'NY' } : {}),
    firstName: options.firstName ?? 'Test',
    lastName: options.lastName ?? 'Approved',
  })
  return {
    id: registered.user.id as string,
    email,
    token: registered.accessToken,
    onboardingId: registered.onboardingId,
    region,
    database: t.runtime.databases.byRegion[region],
  }
}

export type TestUser = Awaited<ReturnType<typeof registerSandboxUser>>

export const startVerification = async (t: TestApp, clientKey: string, user: TestUser): Promise<string> => {
  const response = await api(t.app, clientKey, user.region).get('/v1/user/verification', {
    authorization: `Bearer ${user.token}`,
  })
  if (response.statusCode !== 200) throw new Error(`verification: ${response.statusCode} ${response.body}`)
  return response.json().sessionUrl as string
}

export const currentUser = async (t: TestApp, clientKey: string, user: TestUser) =>
  (await api(t.app, clientKey, user.region).get('/v1/user', { authorization: `Bearer ${user.token}` })).json()

/** Document-like test pictures: text and shapes, so they are real, decodable photos. */
const picture = (width: number, height: number, label: string, background: string) =>
  sharp(
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect width="100%" height="100%" fill="${background}"/><rect x="40" y="40" width="${Math.round(width * 0.3)}" height="${Math.round(height * 0.5)}" fill="#8899aa"/>
<text x="${Math.round(width * 0.4)}" y="120" font-size="64" font-family="sans-serif">${label}</text>
<text x="40" y="${height - 80}" font-size="40" font-family="monospace">P&lt;GBRTEST&lt;&lt;APPROVED&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;&lt;</text></svg>`),
  )

export type Fixtures = Record<
  'front' | 'back' | 'selfie' | 'text' | 'empty' | 'truncated' | 'huge' | 'oversize' | 'heic' | 'pdf',
  string
>

/**
 * Writes the fixture files the capture tests generate into `dir`; the HEIC sample (sharp cannot encode
 * HEIC) is read from test/fixtures.
 */
export const writeFixtures = async (dir: string): Promise<Fixtures> => {
  await mkdir(dir, { recursive: true })
  const path = (name: string) => join(dir, name)
  // The front is stored rotated, with EXIF orientation 6 (as phones do) and a GPS-like comment to strip.
  const front = await picture(1000, 1600, 'PASSPORT', '#f4e9d8')
    .rotate(90)
    .jpeg({ quality: 85 })
    .withMetadata({ orientation: 8, exif: { IFD0: { ImageDescription: 'secret-location' } } })
    .toBuffer()
  await writeFile(path('front.jpg'), front)
  await writeFile(path('back.png'), await picture(1600, 1000, 'BACK', '#e8f0e0').png().toBuffer())
  await writeFile(path('selfie.webp'), await picture(900, 1200, 'SELFIE', '#d9e6f2').webp().toBuffer())
  await writeFile(path('text.jpg'), 'This is a text file, not a photo.\n')
  await writeFile(path('empty.jpg'), Buffer.alloc(0))
  await writeFile(path('truncated.jpg'), front.subarray(0, Math.floor(front.length / 2)))
  await writeFile(
    path('huge.png'),
    await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#ffffff' } })
      .png({ compressionLevel: 9 })
      .toBuffer(),
  )
  await writeFile(path('oversize.jpg'), Buffer.concat([front, Buffer.alloc(16 * 1024 * 1024, 7)]))
  await writeFile(path('pdf.pdf'), minimalPdf())
  return {
    front: path('front.jpg'),
    back: path('back.png'),
    selfie: path('selfie.webp'),
    text: path('text.jpg'),
    empty: path('empty.jpg'),
    truncated: path('truncated.jpg'),
    huge: path('huge.png'),
    oversize: path('oversize.jpg'),
    heic: join(import.meta.dirname, '..', 'fixtures', 'sample.heic'),
    pdf: path('pdf.pdf'),
  }
}

/** A one-page PDF, like a scanned utility bill. */
const minimalPdf = () => {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ]
  let body = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((object, index) => {
    offsets.push(body.length)
    body += `${index + 1} 0 obj\n${object}\nendobj\n`
  })
  const xref = body.length
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(body)
}
