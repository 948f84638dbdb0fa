import type { RegionDatabase } from '../../db/database.ts'
import { isoTime } from '../../lib/clock.ts'
import { allListVersions, findListVersion } from './repo.ts'

/** Every list with its current version and the versions it replaced (`verity sanctions list`). */
export const describeSanctionsLists = async (home: RegionDatabase) => {
  const versions = await allListVersions(home.db)
  const lists = new Map<string, typeof versions>()
  for (const version of versions)
    lists.set(version.list_name, [...(lists.get(version.list_name) ?? []), version])
  return [...lists.entries()].map(([list, history]) => ({
    list,
    versions: history.map((version) => ({
      versionId: version.id,
      current: version.replaced_at === null,
      format: version.format,
      file: version.file_name,
      sha256: version.file_sha256,
      entries: version.entry_count,
      names: version.name_count,
      publishedAt: version.published_at,
      importedAt: isoTime(version.imported_at),
      replacedAt: isoTime(version.replaced_at),
    })),
  }))
}

/** Whether the version is still its list's current one (a newer import re-screens on its own). */
export const isCurrentListVersion = async (home: RegionDatabase, versionId: string): Promise<boolean> =>
  (await findListVersion(home.db, versionId))?.replaced_at === null
