import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { withTriggersOff } from '../helpers/audit.ts'
import { runCli } from '../helpers/cli.ts'
import { DIALECTS } from '../helpers/dialects.ts'

/**
 * `verity audit checkpoint` and `verify --checkpoint` (issue #13 item 5): a chain alone cannot show its
 * end cut off, or the chain rebuilt by someone holding the key; a signed checkpoint kept elsewhere can.
 */
describe.each(DIALECTS)('audit checkpoints (%s)', (dialect) => {
  let t: TestApp
  let env: Record<string, string>

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    env = {
      DATA_DIR: t.storage.dataDir,
      SERVER_SECRET: t.runtime.config.serverSecret.toString('base64'),
      ...t.storage.env,
    }
  })
  afterAll(() => t.close())

  const cli = (...args: string[]) => runCli(args, env)
  /** Something the CLI does that appends one audit entry to the home chain. */
  const auditedAction = async () =>
    expect((await cli('client', 'create', '--name', 'audited', '--sandbox', '--json')).code).toBe(0)
  const checkpointFile = async (name: string) => {
    const taken = await cli('audit', 'checkpoint')
    expect(taken.code, taken.stderr).toBe(0)
    const file = join(t.storage.dataDir, name)
    await writeFile(file, taken.stdout)
    return { file, checkpoint: JSON.parse(taken.stdout) }
  }
  const home = () => t.runtime.databases.home
  const deleteFrom = (sequence: number) =>
    withTriggersOff(home(), (db) => db.deleteFrom('audit_log').where('sequence', '>=', sequence).execute())

  it('passes while the chains only grow, and names a checkpoint edited by hand or not a checkpoint', async () => {
    await auditedAction()
    await auditedAction()
    const { file, checkpoint } = await checkpointFile('first.json')
    expect(checkpoint).toMatchObject({
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      tips: [
        { region: 'intl', sequence: 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { region: 'us', sequence: 0 },
      ],
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    await auditedAction()
    const verified = await cli('audit', 'verify', '--checkpoint', file)
    expect(verified.stderr).toBe('')
    expect(verified.code).toBe(0)
    expect(verified.stdout).toContain(`intl: holds entry #2 of the checkpoint of ${checkpoint.createdAt}\n`)

    const edited = join(t.storage.dataDir, 'edited.json')
    await writeFile(
      edited,
      JSON.stringify({ ...checkpoint, tips: [{ ...checkpoint.tips[0], sequence: 1 }, checkpoint.tips[1]] }),
    )
    const forged = await cli('audit', 'verify', '--checkpoint', edited)
    expect(forged.code).toBe(1)
    expect(forged.stderr).toContain(
      `intl: checkpoint of ${checkpoint.createdAt} at entry #1: the checkpoint was not made by this server, or it was edited since\n`,
    )

    const junk = join(t.storage.dataDir, 'junk.json')
    await writeFile(junk, '{"tips": "none"}')
    const refused = await cli('audit', 'verify', '--checkpoint', junk)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('is not a checkpoint file')
  })

  it("names a chain cut off before the checkpoint's tip, which the chain walk alone does not see", async () => {
    await auditedAction()
    const { file, checkpoint } = await checkpointFile('before-cut.json')
    const tip = checkpoint.tips[0].sequence as number
    await deleteFrom(tip)
    // The chain that is left verifies on its own: nothing in it is broken.
    expect((await cli('audit', 'verify')).code).toBe(0)
    const cut = await cli('audit', 'verify', '--checkpoint', file, '--json')
    expect(cut.code).toBe(1)
    expect(JSON.parse(cut.stdout).checkpoint).toEqual([
      {
        region: 'intl',
        ok: false,
        sequence: tip,
        failure: 'cut_off',
        explanation: 'the chain ends before the entry the checkpoint saw: entries were removed from its end',
      },
      { region: 'us', ok: true, sequence: 0 },
    ])
  })

  it('names a chain rebuilt from some entry on, even though every link of the new chain verifies', async () => {
    const { file, checkpoint } = await checkpointFile('before-rebuild.json')
    const tip = checkpoint.tips[0].sequence as number
    // The last entry taken away and another appended in its place, by the server itself: a valid chain.
    await deleteFrom(tip)
    await auditedAction()
    expect((await cli('audit', 'verify')).code).toBe(0)
    const rebuilt = await cli('audit', 'verify', '--checkpoint', file)
    expect(rebuilt.code).toBe(1)
    expect(rebuilt.stderr).toBe(
      `intl: checkpoint of ${checkpoint.createdAt} at entry #${tip}: the entry at the checkpoint's position is not the one it saw: the chain was rebuilt\n`,
    )
  })
})
