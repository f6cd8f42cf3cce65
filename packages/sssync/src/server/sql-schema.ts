/**
 * How the app's schema maps onto SQL: one table per schema table, named as in the schema, with a
 * column per schema column plus the sync columns, and the server's metadata tables. Strings use a
 * binary collation (code point order, case-sensitive), as the client's query engine compares them.
 */
import { type Expression, type RawBuilder, sql } from 'kysely';
import type { ColumnKind, ColumnSpec } from '../schema/column.js';
import type { TableDef } from '../schema/table.js';
import type { SqlDialect, Tx } from './database.js';
import { prepared } from './prepared.js';

/** The columns the server adds to every table (a schema column may not start with `_sssync_`). */
export const SYNC = {
  /** The version of the transaction that last wrote the row. */
  version: '_sssync_v',
  /** Deleted rows stay as tombstones, so that pulls can tell clients to drop them. */
  deleted: '_sssync_deleted',
  /** The version of the write before the last one, and the row as it was then (JSON, null: absent). */
  prevVersion: '_sssync_prev_v',
  prev: '_sssync_prev',
} as const;

export const META_TABLES = {
  meta: 'sssync_meta',
  version: 'sssync_version',
  groups: 'sssync_client_groups',
  clients: 'sssync_clients',
} as const;

type Type = Expression<unknown>;

const raw = (s: string): RawBuilder<unknown> => sql.raw(s);

/**
 * The SQL type of a column of kind `kind`; `key` for a primary key. MySQL cannot index TEXT, and an
 * index entry takes at most 3072 bytes: string ids there are at most 700 characters.
 */
export function columnType(dialect: SqlDialect, kind: ColumnKind, key = false): Type {
  switch (kind) {
    case 'number':
      return raw(dialect === 'postgres' ? 'double precision' : dialect === 'mysql' ? 'double' : 'real');
    case 'boolean':
      return raw(dialect === 'sqlite' ? 'integer' : 'boolean');
    case 'json':
      return raw(dialect === 'mysql' ? 'longtext' : 'text');
    default:
      return textType(dialect, key ? 700 : undefined);
  }
}

/** Text; on MySQL `varchar(keyLength)` when it is part of a key. */
export function textType(dialect: SqlDialect, keyLength?: number): Type {
  if (dialect === 'postgres') return raw('text collate "C"');
  if (dialect === 'mysql') {
    return raw(keyLength ? `varchar(${keyLength}) collate utf8mb4_bin` : 'longtext collate utf8mb4_bin');
  }
  return raw('text');
}

export const bigint = (dialect: SqlDialect): Type => raw(dialect === 'sqlite' ? 'integer' : 'bigint');
export const flag = (dialect: SqlDialect): Type => raw(dialect === 'sqlite' ? 'integer' : 'boolean');

/** MySQL tables get utf8mb4 and binary collation whatever the server's defaults are. */
const tableOptions = (dialect: SqlDialect) =>
  dialect === 'mysql' ? sql`default charset=utf8mb4 collate=utf8mb4_bin` : sql``;

/** Creates the table of a schema table, with its sync columns and the index pulls read by. */
export async function createDataTable(
  tx: Tx,
  dialect: SqlDialect,
  name: string,
  def: TableDef,
): Promise<void> {
  let builder = tx.schema.createTable(name).ifNotExists();
  for (const [column, spec] of Object.entries(def.columns)) {
    builder =
      column === 'id'
        ? builder.addColumn('id', columnType(dialect, spec.kind, true), (c) => c.primaryKey())
        : builder.addColumn(column, columnType(dialect, spec.kind));
  }
  builder = builder
    .addColumn(SYNC.version, bigint(dialect), (c) => c.notNull())
    .addColumn(SYNC.deleted, flag(dialect), (c) => c.notNull())
    .addColumn(SYNC.prevVersion, bigint(dialect), (c) => c.notNull())
    .addColumn(SYNC.prev, columnType(dialect, 'json'))
    .modifyEnd(tableOptions(dialect));
  await builder.execute();
  await tx.schema
    .createIndex(indexName(name))
    .ifNotExists()
    .on(name)
    .columns([SYNC.version, 'id'])
    .execute()
    .catch(ignoreOnMysql(dialect));
  await createSchemaIndexes(tx, dialect, name, def);
}

/**
 * The schema's secondary indexes (`.index('owner')`), which also serve the server's scoped reads.
 * MySQL indexes the first 191 characters of a text column (it cannot index whole TEXT values).
 */
export async function createSchemaIndexes(
  tx: Tx,
  dialect: SqlDialect,
  name: string,
  def: TableDef,
): Promise<void> {
  for (const columns of def.indexes) {
    const kinds = columns.map((c) => def.columns[c]?.kind);
    if (kinds.includes('json')) continue;
    const parts = columns.map((c, i) =>
      dialect === 'mysql' && kinds[i] !== 'number' && kinds[i] !== 'boolean'
        ? sql`${sql.ref(c)}(191)`
        : sql.ref(c),
    );
    const index = sql.id(secondaryIndexName(name, columns));
    const statement =
      dialect === 'mysql'
        ? sql`create index ${index} on ${sql.table(name)} (${sql.join(parts)})`
        : sql`create index if not exists ${index} on ${sql.table(name)} (${sql.join(parts)})`;
    await statement.execute(tx).catch(ignoreOnMysql(dialect));
  }
}

function secondaryIndexName(table: string, columns: readonly string[]): string {
  const full = `sssync_i_${table}_${columns.join('_')}`;
  if (full.length <= 60) return full;
  let h = 0;
  for (let i = 0; i < full.length; i++) h = (Math.imul(h, 31) + full.charCodeAt(i)) | 0;
  return `${full.slice(0, 50)}_${(h >>> 0).toString(36)}`;
}

/** MySQL has no `create index if not exists` (Kysely drops it): a duplicate index error is fine. */
const ignoreOnMysql = (dialect: SqlDialect) => (e: unknown) => {
  if (dialect === 'mysql' && (e as { errno?: number }).errno === 1061) return;
  throw e;
};

export const indexName = (table: string): string => `sssync_v_${table}`.slice(0, 60);

/** The current version: the single row of `sssync_version` (what every commit advances). */
export async function readVersion(tx: Tx): Promise<number> {
  const { rows } = await selectVersion(tx);
  if (rows[0] === undefined) throw new Error('sssync: the version row is missing.');
  return Number(rows[0].v);
}

const selectVersion = prepared<[]>((tx) =>
  tx.selectFrom(META_TABLES.version).select('v').where('id', '=', 1),
);

export async function createMetaTables(tx: Tx, dialect: SqlDialect): Promise<void> {
  const id = textType(dialect, 64);
  const opts = tableOptions(dialect);
  await tx.schema
    .createTable(META_TABLES.meta)
    .ifNotExists()
    .addColumn('name', id, (c) => c.primaryKey())
    .addColumn('value', textType(dialect), (c) => c.notNull())
    .modifyEnd(opts)
    .execute();
  await tx.schema
    .createTable(META_TABLES.version)
    .ifNotExists()
    .addColumn('id', raw('integer'), (c) => c.primaryKey())
    .addColumn('v', bigint(dialect), (c) => c.notNull())
    .modifyEnd(opts)
    .execute();
  await tx.schema
    .createTable(META_TABLES.groups)
    .ifNotExists()
    .addColumn('client_group_id', id, (c) => c.primaryKey())
    .addColumn('user_id', textType(dialect), (c) => c.notNull())
    .modifyEnd(opts)
    .execute();
  await tx.schema
    .createTable(META_TABLES.clients)
    .ifNotExists()
    .addColumn('client_id', id, (c) => c.primaryKey())
    .addColumn('client_group_id', id, (c) => c.notNull())
    .addColumn('last_mutation_id', bigint(dialect), (c) => c.notNull())
    .addColumn('updated_at', bigint(dialect), (c) => c.notNull())
    .modifyEnd(opts)
    .execute();
  await tx.schema
    .createIndex('sssync_clients_group')
    .ifNotExists()
    .on(META_TABLES.clients)
    .columns(['client_group_id', 'updated_at'])
    .execute()
    .catch(ignoreOnMysql(dialect));
}

/** A column's value as stored: booleans as 1/0 where there is no boolean type, JSON as text. */
export function encodeValue(dialect: SqlDialect, spec: Pick<ColumnSpec, 'kind'>, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (spec.kind === 'boolean') return dialect === 'postgres' ? value : value ? 1 : 0;
  if (spec.kind === 'json') return JSON.stringify(value);
  return value;
}

/** The inverse of `encodeValue`, for what the driver returns (pg gives bigint as string, etc.). */
export function decodeValue(spec: Pick<ColumnSpec, 'kind'>, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (spec.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? value : Number(value) !== 0;
    case 'number':
      return typeof value === 'number' ? value : Number(value);
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value;
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** A row of the app (every schema column) from a SQL row. */
export function decodeRow(def: TableDef, sqlRow: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [column, spec] of Object.entries(def.columns)) row[column] = decodeValue(spec, sqlRow[column]);
  return row;
}

/** A SQL row (every schema column) from a row of the app. */
export function encodeRow(
  dialect: SqlDialect,
  def: TableDef,
  row: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, spec] of Object.entries(def.columns))
    out[column] = encodeValue(dialect, spec, row[column]);
  return out;
}

export const encodeFlag = (dialect: SqlDialect, value: boolean): boolean | number =>
  dialect === 'postgres' ? value : value ? 1 : 0;
