import fastJsonStringify, { type Schema } from 'fast-json-stringify'
import type { FastifyInstance } from 'fastify'

type Schemas = Record<string, object>

/**
 * The ids of the shared schemas (those added to the app) that a schema reaches through `$ref`,
 * directly or through other shared schemas; undefined when a reference names an id that is not one.
 */
const referencedIds = (schema: unknown, shared: Schemas): Set<string> | undefined => {
  const ids = new Set<string>()
  let unknownReference = false
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) visit(item)
    else if (node !== null && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key !== '$ref' || typeof value !== 'string') visit(value)
        else {
          const id = value.slice(0, value.includes('#') ? value.indexOf('#') : undefined)
          if (id === '' || ids.has(id)) continue
          if (!(id in shared)) unknownReference = true
          else {
            ids.add(id)
            visit(shared[id])
          }
        }
      }
  }
  visit(schema)
  return unknownReference ? undefined : ids
}

/**
 * Response serializers are compiled by fast-json-stringify, as Fastify does by default, with two
 * differences that take the server's start from over a second to milliseconds (issue #15):
 *
 * - each is compiled with only the shared schemas its response reaches, not all of them: the compiler
 *   checks and indexes every shared schema it is given, on each of the ~700 responses (HEAD routes and
 *   every 4xx included);
 * - identical response schemas (the same error bodies on most routes, GET and its HEAD) share one
 *   compiled serializer: its code depends on the schema and the shared schemas only, and those are the
 *   same for every route (they are all added to the root app before the first route).
 *
 * A reference to an id that is not a shared schema gets all of them, so that fast-json-stringify
 * resolves (or refuses) it exactly as before.
 */
export const registerSerialization = (app: FastifyInstance): void => {
  const compiled = new Map<string, (data: unknown) => string>()
  app.setSerializerCompiler(({ schema }) => {
    const key = JSON.stringify(schema)
    const known = compiled.get(key)
    if (known) return known
    const shared = app.getSchemas() as Schemas
    const ids = referencedIds(schema, shared)
    const externals = ids ? Object.fromEntries([...ids].map((id) => [id, shared[id]])) : { ...shared }
    // Like Fastify's own compiler: a response that is itself a shared schema is not given it twice.
    const ownId = (schema as { $id?: unknown }).$id
    if (typeof ownId === 'string') delete externals[ownId]
    const serializer = fastJsonStringify(schema as Schema, { schema: externals as Record<string, Schema> })
    compiled.set(key, serializer)
    return serializer
  })
}
