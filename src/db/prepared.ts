import { type Compilable, type CompiledQuery, createQueryId } from 'kysely'
import type { Queryable } from './database.ts'
import { nameStatement } from './statement-names.ts'

/**
 * A hot query built and compiled once per database, then run with fresh parameters. Kysely builds an
 * operation tree and compiles it to SQL on every call (≈10 µs here, a measurable share of a request on
 * the hot paths); the SQL of such a query never changes, only its values do.
 *
 * `build` receives stand-ins for its arguments and must use them only as values bound in the query
 * (never in JavaScript arithmetic or conditions), and read nothing else that changes (the clock,
 * configuration): only the first call builds. Compiling checks that each stand-in reached the
 * parameters, so a builder that computed with one fails loudly instead of binding a wrong value, and
 * every call must pass as many arguments as the first.
 *
 * On PostgreSQL the statement stays prepared on the connection, so it must name its columns (no `*`):
 * a migration adding a column while the server runs would otherwise change the result type of the
 * prepared statement, which PostgreSQL refuses to execute.
 */
export const preparedQuery = <Args extends readonly unknown[], Row>(
  build: (db: Queryable, ...args: Args) => Compilable<Row>,
) => {
  // Keyed by the dialect adapter, which a database shares with its transactions.
  const compiledFor = new WeakMap<object, { compiled: CompiledQuery<Row>; slots: number[]; arity: number }>()

  const compile = (db: Queryable, arity: number) => {
    const standIns = Array.from({ length: arity }, (_, index) => `\u0000prepared-argument-${index}\u0000`)
    const compiled = build(db, ...(standIns as unknown as Args)).compile()
    const slots = compiled.parameters.map((value) => standIns.indexOf(value as string))
    const unused = standIns.findIndex((_, index) => !slots.includes(index))
    if (unused !== -1) throw new Error(`prepared query: argument ${unused} is not a bound value`)
    if (/(^|[\s,.])\*([\s,]|$)/.test(compiled.sql)) throw new Error('prepared query: name its columns, not *')
    nameStatement(compiled.sql)
    return { compiled, slots, arity }
  }

  const run = (db: Queryable, args: Args) => {
    const adapter = db.getExecutor().adapter
    let entry = compiledFor.get(adapter)
    if (!entry) {
      entry = compile(db, args.length)
      compiledFor.set(adapter, entry)
    }
    // The stand-ins were made for the first call's arguments: a call with another count would bind wrongly.
    if (args.length !== entry.arity)
      throw new Error(`prepared query: called with ${args.length} arguments, compiled for ${entry.arity}`)
    const { compiled, slots } = entry
    const parameters = compiled.parameters.map((fixed, index) => {
      const slot = slots[index] as number
      return slot === -1 ? fixed : args[slot]
    })
    return db.executeQuery<Row>({ ...compiled, queryId: createQueryId(), parameters })
  }

  return {
    all: async (db: Queryable, ...args: Args): Promise<Row[]> => (await run(db, args)).rows,
    first: async (db: Queryable, ...args: Args): Promise<Row | undefined> => (await run(db, args)).rows[0],
    /** The number of rows an update or delete changed. */
    affected: async (db: Queryable, ...args: Args): Promise<number> =>
      Number((await run(db, args)).numAffectedRows ?? 0n),
  }
}

/**
 * For prepared writes, whose builder receives one stand-in per column: the row a builder writes, from
 * its values in column order, and the values of a row in that order.
 */
export const rowFrom = <Column extends string>(columns: readonly Column[], values: readonly unknown[]) =>
  Object.fromEntries(columns.map((column, index) => [column, values[index]])) as Record<Column, unknown>

export const valuesOf = <Column extends string>(columns: readonly Column[], row: Record<Column, unknown>) =>
  columns.map((column) => row[column])
