import type { Region, RegionDatabase } from '../../db/database.ts'
import type { Client } from './model.ts'

/** Who is asking and where: the authenticated client and the region database the request is routed to. */
export type ClientScope = { client: Client; region: Region; database: RegionDatabase }
