import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUserRow, searchUsers } from '../../src/modules/users/index.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'

/** The console's user search (issue #13 item 6) as each dialect runs it. */
describe.each(DIALECTS)('user search (%s)', (dialect) => {
  let t: TestApp
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    const { client } = await t.createClient()
    const people = [
      ['anna', 'Anna-Maria', "O'Neill", 'anna@example.com'],
      ['percent', '100%', 'Sure', 'percent@example.com'],
      ['other', 'Bob', 'Smith', 'bob@example.com'],
    ] as const
    for (const [key, first, last, email] of people) {
      ids[key] = randomUUID()
      await t.runtime.databases.home.db
        .insertInto('app_user')
        .values({
          ...newUserRow({
            id: ids[key] as string,
            client_id: client.id,
            onboarding_id: randomUUID(),
            email,
            password_hash: 'x',
            country_of_residence: 'GB',
            created_at: t.clock.now(),
          }),
          first_name: first,
          last_name: last,
        })
        .execute()
    }
  })
  afterAll(() => t.close())

  const found = async (text: string, email: string | null = null) =>
    (await searchUsers(t.runtime.databases.home.db, { text, email }, 10)).map((user) => user.id)

  it('finds by id, by normalized email, and by part of the name whatever its case', async () => {
    expect(await found(ids.anna as string)).toEqual([ids.anna])
    expect(await found('ANNA@example.com', 'anna@example.com')).toEqual([ids.anna])
    expect(await found("maria o'ne")).toEqual([ids.anna])
    expect(await found('smith')).toEqual([ids.other])
  })

  it("takes LIKE's wildcards as the characters typed", async () => {
    expect(await found('%')).toEqual([ids.percent])
    expect(await found('_')).toEqual([])
    expect(await found('nobody')).toEqual([])
  })
})
