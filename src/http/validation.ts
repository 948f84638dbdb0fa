import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'

const BASE: Options = { allErrors: true, removeAdditional: true, useDefaults: true, strict: false }

const createAjv = (coerceTypes: Options['coerceTypes']): Ajv => {
  const ajv = new Ajv({ ...BASE, coerceTypes })
  addFormats.default(ajv)
  return ajv
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
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema),
  )
}
