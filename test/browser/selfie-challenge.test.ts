import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHALLENGE_STEPS } from '../../src/db/schema.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import {
  chromiumAvailable,
  freePort,
  launchChromium,
  PHONE,
  screenshot,
  seriousViolations,
} from '../helpers/browser.ts'
import { type Fixtures, registerSandboxUser, startVerification, writeFixtures } from '../helpers/capture.ts'

const WIDTH = 640
const HEIGHT = 480

/**
 * A one-frame Y4M video (Chromium's fake camera loops it) of one face from a group photo shipped with
 * face-api's demo: the camera then shows a person rather than the test pattern. 4:2:0, planes Y, U, V
 * (BT.601).
 */
const faceVideo = async (path: string) => {
  const photo = createRequire(import.meta.url).resolve('@vladmandic/face-api/demo/sample1.jpg')
  const { data } = await sharp(photo)
    .extract({ left: 230, top: 160, width: 600, height: 450 })
    .resize(WIDTH, HEIGHT)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const y = Buffer.alloc(WIDTH * HEIGHT)
  const u = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2))
  const v = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2))
  const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)))
  for (let row = 0; row < HEIGHT; row += 1)
    for (let col = 0; col < WIDTH; col += 1) {
      const at = (row * WIDTH + col) * 3
      const [r, g, b] = [data[at] as number, data[at + 1] as number, data[at + 2] as number]
      y[row * WIDTH + col] = clamp(0.299 * r + 0.587 * g + 0.114 * b)
      if (row % 2 === 0 && col % 2 === 0) {
        const half = (row / 2) * (WIDTH / 2) + col / 2
        u[half] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)
        v[half] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)
      }
    }
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F30:1 Ip A1:1 C420jpeg\nFRAME\n`)
  await writeFile(path, Buffer.concat([header, y, u, v]))
}

// One dialect: the pages run the same service code the HTTP tests run on both.
describe.skipIf(!chromiumAvailable())(
  'live selfie with its active challenge in Chromium (fake camera)',
  () => {
    let t: TestApp
    let browser: Browser
    let sandbox: Awaited<ReturnType<TestApp['createClient']>>
    let fixtures: Fixtures
    let videoDir: string

    beforeAll(async () => {
      videoDir = await mkdtemp(join(tmpdir(), 'verity-camera-'))
      const video = join(videoDir, 'face.y4m')
      await faceVideo(video)
      const port = await freePort()
      t = await buildTestApp('sqlite', { env: { PUBLIC_URL: `http://127.0.0.1:${port}` } })
      await t.app.listen({ host: '127.0.0.1', port })
      sandbox = await t.createClient({ name: 'Acme Wallet', mode: 'sandbox', regions: ['intl'] })
      fixtures = await writeFixtures(join(t.storage.dataDir, 'fixtures'))
      browser = await launchChromium([`--use-file-for-fake-video-capture=${video}`])
    }, 60_000)
    afterAll(async () => {
      await browser?.close()
      await t?.close()
      if (videoDir) await rm(videoDir, { recursive: true, force: true })
    })

    const check = async (page: Page, name: string) => {
      expect(await seriousViolations(page), `axe on ${page.url()}`).toEqual([])
      await screenshot(page, name)
    }

    /** A phone at the selfie page of a new Test Approved user (consent, a passport, its front done). */
    const atSelfie = async () => {
      const user = await registerSandboxUser(t, sandbox.client.clientKey)
      const context = await browser.newContext(PHONE)
      const page = await context.newPage()
      await page.goto(await startVerification(t, sandbox.client.clientKey, user))
      await page.waitForURL(/\/verify$/)
      await page.getByRole('link', { name: 'Start' }).click()
      await page.getByLabel('I agree').check()
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.getByLabel('Passport').check()
      await page.getByLabel('Country that issued it').selectOption('GB')
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.setInputFiles('#file', fixtures.front)
      await page.getByRole('button', { name: 'Upload' }).click()
      await page.waitForURL('**/verify/flow/selfie')
      return { user, context, page }
    }

    it('takes the selfie, shows one pose at a time, and stores one frame per pose with the selfie', async () => {
      const { user, context, page } = await atSelfie()
      await expect(page.getByText('a quick live check follows the photo').isVisible()).resolves.toBe(true)
      await page.getByRole('button', { name: 'Use my camera' }).click()
      await page.getByRole('button', { name: 'Take photo' }).click()

      // The first pose is asked for, alone, in the live region.
      const instruction = page.locator('#challenge-instruction')
      await page.getByText('Movement 1 of').waitFor()
      const first = await instruction.textContent()
      expect([
        'Turn your head to your left',
        'Turn your head to your right',
        'Look up',
        'Look down',
      ]).toContain(first)
      expect(await instruction.getAttribute('aria-live')).toBe('assertive')
      await check(page, '05b-selfie-challenge')
      await page.waitForURL('**/verify/flow/review', { timeout: 15_000 })

      const session = await user.database.db
        .selectFrom('verification_session')
        .select('id')
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow()
      const challenge = await user.database.db
        .selectFrom('selfie_challenge')
        .selectAll()
        .where('session_id', '=', session.id)
        .executeTakeFirstOrThrow()
      const steps = JSON.parse(challenge.steps) as string[]
      expect(challenge.answered_at).not.toBeNull()
      for (const step of steps) expect(CHALLENGE_STEPS).toContain(step)
      const frames = await user.database.db
        .selectFrom('document_file')
        .selectAll()
        .where('session_id', '=', session.id)
        .where('slot', 'in', ['challenge_1', 'challenge_2', 'challenge_3'])
        .orderBy('slot')
        .execute()
      expect(frames.map((frame) => frame.slot)).toEqual(
        ['challenge_1', 'challenge_2', 'challenge_3'].slice(0, steps.length),
      )
      for (const frame of frames) {
        // Grabbed from the 640×480 camera at most 720 px: stored as the camera gave them.
        expect([frame.width, frame.height, frame.media_type]).toEqual([WIDTH, HEIGHT, 'image/jpeg'])
        const plain = await t.runtime.vault.get(frame.id, {
          storageKey: frame.storage_key,
          wrappedKey: frame.wrapped_key,
          sha256: frame.sha256,
        })
        // The face photo, not a black frame: the camera was live when each frame was grabbed.
        const { channels } = await sharp(plain).stats()
        expect(channels[0]?.mean ?? 0).toBeGreaterThan(30)
      }
      await context.close()
    }, 60_000)

    it('says so when the frames come too late, and lets the user go on without the live check or take the selfie again', async () => {
      const { context, page } = await atSelfie()
      await page.getByRole('button', { name: 'Use my camera' }).click()
      await page.getByRole('button', { name: 'Take photo' }).click()
      await page.getByText('Movement 1 of').waitFor()
      // The frames leave at the end of the challenge: by then the server's time for them has run out.
      t.clock.advance(121_000)
      await page.getByRole('alert').filter({ hasText: 'The time for the live check ran out' }).waitFor()
      await expect(page.getByRole('button', { name: 'Use my camera' }).isVisible()).resolves.toBe(true)
      await check(page, '05c-selfie-challenge-late')
      await page.getByRole('link', { name: 'Continue without the live check' }).click()
      await page.waitForURL('**/verify/flow/review')
      await context.close()
    }, 60_000)
  },
)
