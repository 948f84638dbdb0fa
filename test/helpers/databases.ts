import { type Databases, type Dialect, openDatabases } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { createTestDatabaseTargets, type TestDatabaseTargets } from './dialects.ts'

export type TestDatabases = { databases: Databases; storage: TestDatabaseTargets; close(): Promise<void> }

/** Fresh, migrated databases for both regions of one dialect, without the HTTP app. */
export const openTestDatabases = async (dialect: Dialect): Promise<TestDatabases> => {
  const storage = await createTestDatabaseTargets(dialect)
  const databases = openDatabases(storage.targets)
  for (const database of databases.all) await migrateToLatest(database)
  return {
    databases,
    storage,
    close: async () => {
      await databases.destroy()
      await storage.cleanup()
    },
  }
}

/** Polls until the assertion stops throwing, or fails with its last error after `timeoutMs`. */
export const eventually = async <T>(
  assertion: () => Promise<T> | T,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await assertion()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  }
}
