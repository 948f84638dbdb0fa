import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateSync } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { svgQr } from '../../src/cli/enrolment-qr.ts'
import { loadConfig } from '../../src/config/config.ts'
import { type Databases, openDatabases } from '../../src/db/database.ts'
import { systemClock } from '../../src/lib/clock.ts'
import { deriveKeys } from '../../src/lib/keys.ts'
import { LoginThrottle } from '../../src/modules/auth/index.ts'
import { resolveStaffSession, type StaffSignInDeps, signInStaff } from '../../src/modules/staff/index.ts'
import { runCli } from '../helpers/cli.ts'
import { createTestDatabaseTargets, DIALECTS, type TestDatabaseTargets } from '../helpers/dialects.ts'

/** `verity staff` as an operator runs it: what it prints is what a member signs in with. */
describe.each(DIALECTS)('verity staff (%s)', (dialect) => {
  let storage: TestDatabaseTargets
  let env: Record<string, string>
  let databases: Databases | undefined
  let nextAddress = 0

  beforeAll(async () => {
    storage = await createTestDatabaseTargets(dialect)
    env = { DATA_DIR: storage.dataDir, ...storage.env }
  })
  afterAll(async () => {
    await databases?.destroy()
    await storage.cleanup()
  })

  /** The console's side, in this process: the server secret the CLI generated into DATA_DIR, the same databases. */
  const consoleDeps = (): StaffSignInDeps => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env })
    databases ??= openDatabases(config.databases)
    return {
      db: databases.home.db,
      home: databases.home,
      clock: systemClock,
      keys: deriveKeys(config.serverSecret),
      config,
      throttle: new LoginThrottle(systemClock),
    }
  }
  /** With the code the authenticator app shows now, or `steps` time steps later (real clock). */
  const signIn = (email: string, password: string, totpSecret: string, steps = 0) => {
    nextAddress += 1
    return signInStaff(consoleDeps(), {
      email,
      password,
      code: generateSync({ secret: totpSecret, epoch: Math.floor(Date.now() / 1000) + steps * 30 }),
      sourceIp: `192.0.2.${nextAddress}`,
    })
  }
  const staff = async (args: string[]) => {
    const result = await runCli(['staff', ...args], env)
    expect(result.code, result.stderr).toBe(0)
    return result.stdout
  }

  it('create --json prints exactly one JSON object whose password and TOTP secret sign in', async () => {
    const result = await runCli(
      ['staff', 'create', '--email', 'Rita@Example.com', '--role', 'reviewer', '--json'],
      env,
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const created = JSON.parse(result.stdout)
    expect(created).toMatchObject({ email: 'rita@example.com', role: 'reviewer', status: 'active' })
    expect(created.id).toMatch(/^stf_/)
    expect(created.password).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(created.totpSecret).toMatch(/^[A-Z2-7]{32}$/)
    expect(created.otpauthUrl).toContain(`secret=${created.totpSecret}`)

    const signedIn = await signIn('rita@example.com', created.password, created.totpSecret)
    expect(signedIn.staff).toMatchObject({ id: created.id, role: 'reviewer' })
    expect(await resolveStaffSession(consoleDeps(), signedIn.sessionToken)).toMatchObject({
      staff: { email: 'rita@example.com' },
    })

    const listed = JSON.parse(await staff(['list', '--json']))
    expect(listed.find((each: { id: string }) => each.id === created.id)).toMatchObject({
      email: 'rita@example.com',
      role: 'reviewer',
      status: 'active',
    })
    expect(JSON.stringify(listed)).not.toContain(created.password)
    expect(JSON.stringify(listed)).not.toContain(created.totpSecret)
  })

  it('create shows the enrolment as a QR code: in the terminal, and with --qr-svg in a new owner-only file', async () => {
    const svgFile = join(storage.dataDir, 'qr-nora.svg')
    const printed = await staff([
      'create',
      '--email',
      'nora@example.com',
      '--role',
      'auditor',
      '--qr-svg',
      svgFile,
    ])
    const uri = /otpauth URI {2}(otpauth:\/\/\S+)/.exec(printed)?.[1] as string
    expect(uri).toMatch(/^otpauth:\/\/totp\/Verity:nora%40example\.com\?secret=[A-Z2-7]{32}/)
    expect(printed).toMatch(/[▀▄█]{7}/)
    const svg = await readFile(svgFile, 'utf8')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toBe(await svgQr(uri))
    expect((await stat(svgFile)).mode & 0o777).toBe(0o600)

    // An existing file is refused before anything is created; --json keeps its one object.
    const taken = join(storage.dataDir, 'taken.svg')
    await writeFile(taken, 'mine')
    const refused = await runCli(
      ['staff', 'create', '--email', 'otto@example.com', '--role', 'auditor', '--qr-svg', taken],
      env,
    )
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('already exists; nothing was changed')
    expect(await readFile(taken, 'utf8')).toBe('mine')
    expect(await staff(['list'])).not.toContain('otto@example.com')
    const resetFile = join(storage.dataDir, 'qr-nora-reset.svg')
    const reset = JSON.parse(
      await staff(['reset', '--email', 'nora@example.com', '--json', '--qr-svg', resetFile]),
    )
    expect(await readFile(resetFile, 'utf8')).toBe(await svgQr(reset.otpauthUrl))
  })

  it('refuses a duplicate email (in any case) and an unknown role, saying which', async () => {
    await staff(['create', '--email', 'dup@example.com', '--role', 'auditor', '--json'])
    const duplicate = await runCli(['staff', 'create', '--email', 'DUP@example.com', '--role', 'admin'], env)
    expect(duplicate.code).toBe(1)
    expect(duplicate.stderr).toContain('A staff member with the email dup@example.com already exists')
    const unknownRole = await runCli(['staff', 'create', '--email', 'new@example.com', '--role', 'boss'], env)
    expect(unknownRole.code).not.toBe(0)
    expect(unknownRole.stderr).toContain(
      "argument 'boss' is invalid. Allowed choices are admin, reviewer, auditor",
    )
    const missing = await runCli(['staff', 'disable', '--email', 'nobody@example.com'], env)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('No staff member nobody@example.com')
  })

  it('reset hands out new credentials and ends the sessions; disable ends sign-in', async () => {
    const created = JSON.parse(
      await staff(['create', '--email', 'ada@example.com', '--role', 'admin', '--json']),
    )
    const before = await signIn('ada@example.com', created.password, created.totpSecret)

    const reset = JSON.parse(await staff(['reset', '--email', 'Ada@example.com', '--json']))
    expect(reset).toMatchObject({ id: created.id, sessionsRevoked: 1 })
    expect(reset.password).not.toBe(created.password)
    expect(await resolveStaffSession(consoleDeps(), before.sessionToken)).toBeNull()
    await expect(signIn('ada@example.com', created.password, created.totpSecret)).rejects.toMatchObject({
      code: 'STAFF_CREDENTIALS_INVALID',
    })
    const after = await signIn('ada@example.com', reset.password, reset.totpSecret)

    const disabled = await staff(['disable', '--email', 'ada@example.com'])
    expect(disabled).toContain('disabled')
    expect(disabled).toContain('signed out of 1 session(s)')
    expect(await resolveStaffSession(consoleDeps(), after.sessionToken)).toBeNull()
    // The next step's code, which the drift window would take: only the disabling refuses it.
    await expect(signIn('ada@example.com', reset.password, reset.totpSecret, 1)).rejects.toMatchObject({
      code: 'STAFF_CREDENTIALS_INVALID',
    })

    // Enabled again: the same credentials sign in (a code of a step not used yet).
    const enabled = JSON.parse(await staff(['enable', '--email', 'ada@example.com', '--json']))
    expect(enabled).toMatchObject({ id: created.id, status: 'active', disabledAt: null })
    await expect(signIn('ada@example.com', reset.password, reset.totpSecret, 1)).resolves.toMatchObject({
      staff: { id: created.id },
    })
    const audited = await runCli(['audit', 'list', '--subject', created.id, '--json'], env)
    expect(JSON.parse(audited.stdout).map((entry: { action: string }) => entry.action)).toContain(
      'staff.enable',
    )
  })
})
