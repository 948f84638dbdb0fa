import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RegionDatabase } from '../../db/database.ts'
import type { Html } from '../../web/page.ts'
import type { AuditEntryInput } from '../audit/index.ts'
import type { ConsoleDeps } from './deps.ts'
import type { Viewer } from './pages.ts'

/** What the console's page groups (users, clients) need of its routes: page sender, audit, CSRF, roles. */
export type ConsoleContext = {
  deps: ConsoleDeps
  viewer(request: FastifyRequest): Viewer
  send(reply: FastifyReply, status: number, title: string, body: Html, script?: string): FastifyReply
  audit(database: RegionDatabase, entry: AuditEntryInput): Promise<unknown>
  requireCsrf(request: FastifyRequest, presented: string): void
  requireRole(request: FastifyRequest, allowed: (role: Viewer['staff']['role']) => boolean): void
  schema(operationId: string, summary: string): Record<string, unknown>
}
