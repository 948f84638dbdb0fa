import { Ajv, type AnySchema, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'

const BASE: Options = { allErrors: true, removeAdditional: true, useDefaults: true, strict: false }

const createAjv = (coerceTypes: Options['coerceTypes']): Ajv => {
  const ajv = new Ajv({ ...BASE, coerceTypes })
  addFormats.default(ajv)
  return ajv
}

const NUL_MESSAGE = 'must not contain the NUL character (U+0000)'

/** Whether any string (or property name) in the value holds U+0000; allocates nothing (every request). */
const holdsNul = (value: unknown): boolean => {
  if (typeof value === 'string') return value.includes('\u0000')
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return false
  if (Array.isArray(value)) return value.some(holdsNul)
  for (const key in value) {
    if (
      Object.hasOwn(value, key) &&
      (key.includes('\u0000') || holdsNul((value as Record<string, unknown>)[key]))
    )
      return true
  }
  return false
}

/** JSON pointers of every string (or property name) in the value that holds U+0000. */
const nulPointers = (value: unknown, pointer = ''): string[] => {
  if (typeof value === 'string') return value.includes('\u0000') ? [pointer] : []
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return []
  if (Array.isArray(value)) return value.flatMap((item, index) => nulPointers(item, `${pointer}/${index}`))
  return Object.entries(value).flatMap(([key, item]) =>
    key.includes('\u0000') ? [`${pointer}/${key}`] : nulPointers(item, `${pointer}/${key}`),
  )
}

type FastifyValidator = ((data: unknown, context?: unknown) => boolean) & {
  errors?: ErrorObject[] | null
  schemaEnv?: unknown
}

/**
 * No field of ours may hold U+0000: PostgreSQL refuses it in text (a 500 instead of a 422) and it
 * truncates strings in C libraries further down. Every string counts, read or not (a field no route
 * reads today may be read tomorrow); reported beside the schema's own problems, as ordinary fields.
 */
const refusingNul = (validate: ValidateFunction): FastifyValidator => {
  const validator: FastifyValidator = (data, context) => {
    const valid = validate(data, context as Parameters<ValidateFunction>[1])
    if (!holdsNul(data)) {
      validator.errors = validate.errors
      return valid
    }
    const problems = nulPointers(data).map(
      (instancePath): ErrorObject => ({
        instancePath,
        keyword: 'nul',
        params: {},
        schemaPath: '#',
        message: NUL_MESSAGE,
      }),
    )
    validator.errors = problems.length > 0 ? [...(validate.errors ?? []), ...problems] : validate.errors
    return valid && problems.length === 0
  }
  // Fastify passes the parent object to validators that carry it, so that Ajv may coerce a root value.
  validator.schemaEnv = validate.schemaEnv
  return validator
}

/**
 * JSON bodies are validated strictly: `"5"` is not a number and `"x"` is not an array, so a client
 * with a wrong type gets a 422 naming the field instead of a silently coerced value. Query strings,
 * path parameters and headers are text by nature and are coerced. Unknown properties are dropped
 * (clients may send more than we read); every failing field is reported, not just the first.
 */
export const registerValidation = (app: FastifyInstance): void => {
  const strict = createAjv(false)
  const coercing = createAjv('array')
  // Routes name shared schemas by `$ref` (components of the OpenAPI document, see http/schemas.ts `ref`):
  // both instances learn every schema added to the app before the first route is compiled.
  let sharedAdded = false
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (!sharedAdded) {
      for (const shared of Object.values(app.getSchemas()) as AnySchema[]) {
        strict.addSchema(shared)
        coercing.addSchema(shared)
      }
      sharedAdded = true
    }
    return refusingNul((httpPart === 'body' ? strict : coercing).compile(schema))
  })
}
