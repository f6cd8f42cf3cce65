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
import { fits, maxInList, sqlFilter } from './sql-filter.js';
import { decodeRow, encodeFlag, SYNC } from './sql-schema.js';
import type { WriteSet } from './write-set.js';

type Row = Record<string, unknown>;

/** Where a server query reads: the transaction, and what the database allows. */
export interface ReadContext {
  readonly tx: Tx;
  readonly dialect: SqlDialect;
  readonly schema: Schema;
  /** Bound parameters per statement (`SyncDatabase.maxParameters`). */
  readonly maxParameters?: number | undefined;
  /** A push's own writes where the database has no transactions: they replace the stored rows. */
  readonly writes?: WriteSet | undefined;
}

const CHUNK = 500;

type Keys = { readonly column: string; readonly values: readonly unknown[] };

/** Reads the live rows of `table` matching `where` (a superset), optionally with `column IN keys`. */
export async function readRows(
  read: ReadContext,
  table: string,
  where: Condition | undefined,
  keys?: Keys,
): Promise<Row[]> {
  const rows = await readStored(read, table, where, keys);
  const { writes, schema } = read;
  if (!writes) return rows;
  const def = tableDef(schema, table);
  const written = writes.rows(table);
  if (written.length === 0) return rows;
  const mine = new Set(written.map((r) => JSON.stringify(decodeRow(def, r).id)));
  const out = rows.filter((r) => !mine.has(JSON.stringify(r.id)));
  const wanted = keys && new Set(keys.values);
  for (const r of written) {
    if (Number(r[SYNC.deleted]) !== 0) continue;
    const row = decodeRow(def, r);
    if (!wanted || wanted.has(row[keys.column])) out.push(row);
  }
  return out;
}

async function readStored(
  { tx, dialect, schema, maxParameters }: ReadContext,
  table: string,
  where: Condition | undefined,
  keys?: Keys,
): Promise<Row[]> {
  const def = tableDef(schema, table);
  const query = (values?: readonly unknown[]) =>
    tx
      .selectFrom(table)
      .select(Object.keys(def.columns))
      .where((eb) => {
        const parts: Expression<SqlBool>[] = [eb(SYNC.deleted, '=', encodeFlag(dialect, false))];
        const filter = sqlFilter(eb, dialect, def, where, maxInList(maxParameters));
        if (filter) parts.push(filter);
        if (keys && values) parts.push(eb(keys.column, 'in', [...values]));
        return eb.and(parts);
      });
  if (!keys) return (await query().execute()).map((r) => decodeRow(def, r));
  const out: Row[] = [];
  const spec = def.columns[keys.column];
  const values = [...new Set(keys.values.filter((v) => spec !== undefined && fits(spec, v)))];
  if (values.length === 0) return out;
  // Each chunk of keys fills what the statement's other parameters leave.
  const others = query(values.slice(0, 1)).compile().parameters.length - 1;
  const chunk = maxParameters === undefined ? CHUNK : Math.max(1, Math.min(CHUNK, maxParameters - others));
  for (let i = 0; i < values.length; i += chunk) {
    for (const r of await query(values.slice(i, i + chunk)).execute()) out.push(decodeRow(def, r));
  }
  return out;
}

export function serverQueryHost(
  read: ReadContext,
  serialize: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
): QueryHost {
  return {
    schema: read.schema,
    run: (ast) =>
      serialize(async () => {
        const memory = new Database(read.schema);
        const rows = await readRows(read, ast.table, ast.where);
        load(memory, ast.table, rows);
        await loadRelated(read, memory, ast, rows);
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
  read: ReadContext,
  memory: Database,
  ast: QueryAST,
  parents: readonly Row[],
): Promise<void> {
  for (const { name, query } of ast.related) {
    const rel = relationshipOf(read.schema, ast.table, name);
    const keys =
      rel.kind === 'one'
        ? { column: 'id', values: parents.map((p) => p[rel.field]) }
        : { column: rel.field, values: parents.map((p) => p.id) };
    const rows = await readRows(read, rel.table, query.where, keys);
    load(memory, rel.table, rows);
    await loadRelated(read, memory, query, rows);
  }
}
