/**
 * Queries on the server (`tx.query` in mutators, `ctx.query` in resources): SQL reads the candidate
 * rows (narrowed by `sql-filter.ts`), and the client's own query engine evaluates the query over them
 * in memory — so a query gives the same rows on the server as on the client, relationships included.
 */
import type { Expression, SqlBool } from 'kysely';
import type { Condition, QueryAST } from '../query/ast.js';
import { Database } from '../query/database.js';
import { evaluate } from '../query/evaluate.js';
import type { QueryHost } from '../query/query.js';
import { relationshipOf, type Schema, tableDef } from '../schema/schema.js';
import { SSSyncError } from '../util/errors.js';
import type { SqlDialect, Tx } from './database.js';
import { fits, sqlFilter } from './sql-filter.js';
import { decodeRow, encodeFlag, SYNC } from './sql-schema.js';

type Row = Record<string, unknown>;

const CHUNK = 500;

/** Reads the live rows of `table` matching `where` (a superset), optionally with `column IN keys`. */
export async function readRows(
  tx: Tx,
  dialect: SqlDialect,
  schema: Schema,
  table: string,
  where: Condition | undefined,
  keys?: { readonly column: string; readonly values: readonly unknown[] },
): Promise<Row[]> {
  const def = tableDef(schema, table);
  const read = (values?: readonly unknown[]) =>
    tx
      .selectFrom(table)
      .select(Object.keys(def.columns))
      .where((eb) => {
        const parts: Expression<SqlBool>[] = [eb(SYNC.deleted, '=', encodeFlag(dialect, false))];
        const filter = sqlFilter(eb, dialect, def, where);
        if (filter) parts.push(filter);
        if (keys && values) parts.push(eb(keys.column, 'in', [...values]));
        return eb.and(parts);
      })
      .execute();
  if (!keys) return (await read()).map((r) => decodeRow(def, r));
  const out: Row[] = [];
  const spec = def.columns[keys.column];
  const values = [...new Set(keys.values.filter((v) => spec !== undefined && fits(spec, v)))];
  for (let i = 0; i < values.length; i += CHUNK) {
    for (const r of await read(values.slice(i, i + CHUNK))) out.push(decodeRow(def, r));
  }
  return out;
}

export function serverQueryHost(
  tx: Tx,
  dialect: SqlDialect,
  schema: Schema,
  serialize: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
): QueryHost {
  return {
    schema,
    run: (ast) =>
      serialize(async () => {
        const memory = new Database(schema);
        const rows = await readRows(tx, dialect, schema, ast.table, ast.where);
        load(memory, ast.table, rows);
        await loadRelated(tx, dialect, schema, memory, ast, rows);
        return evaluate(memory, ast);
      }),
    subscribe: () => {
      throw new SSSyncError('INVALID_QUERY', 'subscribe() is not available on the server; use run().');
    },
  };
}

function load(memory: Database, table: string, rows: readonly Row[]): void {
  for (const row of rows) memory.apply(table, row.id as string | number, Object.freeze(row));
}

/** Loads the rows each `related(...)` of `ast` may reach from `parents`, recursively. */
async function loadRelated(
  tx: Tx,
  dialect: SqlDialect,
  schema: Schema,
  memory: Database,
  ast: QueryAST,
  parents: readonly Row[],
): Promise<void> {
  for (const { name, query } of ast.related) {
    const rel = relationshipOf(schema, ast.table, name);
    const keys =
      rel.kind === 'one'
        ? { column: 'id', values: parents.map((p) => p[rel.field]) }
        : { column: rel.field, values: parents.map((p) => p.id) };
    const rows = await readRows(tx, dialect, schema, rel.table, query.where, keys);
    load(memory, rel.table, rows);
    await loadRelated(tx, dialect, schema, memory, query, rows);
  }
}
