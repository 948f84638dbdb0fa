import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERROR_CATALOGUE } from '../../src/lib/errors.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'

type Schema = Record<string, unknown>
type Response = { description?: string; content?: Record<string, { schema?: Schema }> }
type Operation = {
  operationId?: string
  summary?: string
  tags?: string[]
  responses?: Record<string, Response>
}
type Document = {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Schema> }
}

/**
 * An inline object schema with this many properties or more is a shape an SDK generator would name
 * after wherever it first meets it; seen twice, it must be a named component instead.
 */
const NAMED_SHAPE_MIN_PROPERTIES = 3

const COMPONENT_PREFIX = '#/components/schemas/'

/** The structure of a schema without its prose, so two copies compare equal whatever they say. */
const shapeOf = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(shapeOf)
  if (schema === null || typeof schema !== 'object') return schema
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => key !== 'description' && key !== 'title' && key !== 'examples')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => [key, shapeOf(value)]),
  )
}

/** Every inline object schema with enough properties to deserve a name, found anywhere under `node`. */
const inlineObjects = (node: unknown, found: unknown[] = []): unknown[] => {
  if (Array.isArray(node)) for (const item of node) inlineObjects(item, found)
  else if (node !== null && typeof node === 'object') {
    const schema = node as Schema
    const properties = schema.properties
    if (
      properties !== null &&
      typeof properties === 'object' &&
      Object.keys(properties).length >= NAMED_SHAPE_MIN_PROPERTIES
    ) {
      found.push(schema)
    }
    for (const value of Object.values(schema)) inlineObjects(value, found)
  }
  return found
}

/**
 * The generated document is what an SDK generator reads: these rules keep it generating stable method
 * and type names. The document does not depend on the database, so one dialect is enough.
 */
describe('the OpenAPI document is ready for a generated SDK', () => {
  let t: TestApp
  let document: Document
  let operations: Array<{ name: string; operation: Operation }>
  beforeAll(async () => {
    t = await buildTestApp('sqlite')
    document = (await t.app.inject('/openapi.json')).json()
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        name: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    )
  })
  afterAll(() => t.close())

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(document))
    expect(result.errors ?? [], 'validator errors').toEqual([])
    expect(result.valid).toBe(true)
  })

  it('gives every operation a unique camelCase operationId, a summary and a tag', () => {
    const missing = operations.flatMap(({ name, operation }) => [
      ...(typeof operation.operationId === 'string' && /^[a-z][A-Za-z0-9]*$/.test(operation.operationId)
        ? []
        : [`${name}: operationId ${operation.operationId}`]),
      ...(operation.summary ? [] : [`${name}: summary`]),
      ...(operation.tags?.length ? [] : [`${name}: tags`]),
    ])
    expect(missing, 'operations lacking an operationId, summary or tag').toEqual([])
    const ids = operations.map(({ operation }) => operation.operationId)
    const repeated = ids.filter((id, index) => ids.indexOf(id) !== index)
    expect(repeated, 'operationIds used twice').toEqual([])
  })

  it('describes every error response with a named error schema (a named page for browsers)', () => {
    const unnamed = operations.flatMap(({ name, operation }) => {
      const responses = Object.entries(operation.responses ?? {})
      // A report that fails with the shape it succeeds with (/readyz: 503 is the same report as 200).
      const successRefs = responses
        .filter(([status]) => Number(status) < 400)
        .flatMap(([, response]) => Object.values(response.content ?? {}).map((media) => media.schema?.$ref))
      return responses
        .filter(([status]) => Number(status) >= 400)
        .flatMap(([status, response]) =>
          Object.entries(response.content ?? { none: {} })
            .filter(([mediaType, media]) => {
              const ref = media.schema?.$ref
              if (typeof ref !== 'string' || !ref.startsWith(COMPONENT_PREFIX)) return true
              if (successRefs.includes(ref)) return false
              const named = mediaType === 'text/html' ? /^HtmlPage$/ : /^\w*Error\w*$/
              return !named.test(ref.slice(COMPONENT_PREFIX.length))
            })
            .map(([mediaType]) => `${name} ${status} ${mediaType}`),
        )
    })
    expect(unnamed, 'error responses without a named error schema').toEqual([])
  })

  it("publishes ErrorBody's errorCode as the enum of the error catalogue", () => {
    const errorBody = document.components.schemas.ErrorBody as { properties: Record<string, Schema> }
    expect(errorBody.properties.errorCode?.enum).toEqual(Object.keys(ERROR_CATALOGUE))
  })

  it('names every shape that appears more than once instead of repeating it inline', () => {
    const counts = new Map<string, number>()
    // A component's own root is its name; what it nests inline counts like any other inline shape.
    const nested = Object.values(document.components.schemas).flatMap((component) => Object.values(component))
    for (const schema of inlineObjects([document.paths, nested])) {
      const key = JSON.stringify(shapeOf(schema))
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    const repeated = [...counts]
      .filter(([, count]) => count > 1)
      .map(([shape, count]) => `${count}× ${shape}`)
    expect(repeated, 'inline object schemas repeated across operations').toEqual([])
  })

  it('resolves every $ref to a component', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]*"/g) ?? []
    const dangling = refs
      .map((ref) => ref.slice('"$ref":"'.length, -1))
      .filter(
        (ref) =>
          !(
            ref.startsWith(COMPONENT_PREFIX) &&
            ref.slice(COMPONENT_PREFIX.length) in document.components.schemas
          ),
      )
    expect(dangling, 'references to no component').toEqual([])
  })
})
