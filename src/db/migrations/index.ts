import type { Migration } from 'kysely'
import * as m0001 from './0001_foundation.ts'

/** Every migration, in order. Names are permanent: never rename or edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
}
