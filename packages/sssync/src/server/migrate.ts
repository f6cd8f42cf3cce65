/**
 * Creates the server's tables from the schema on first use and migrates them when the schema version
 * rises. Additive changes (a new table, a new column, new enum values) are applied here; a
 * destructive one (a table or column dropped or renamed, a type changed, a column made required)
 * needs the app's `migrate` hook, or it fails with `MIGRATION_FAILED` before any request is served.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { ColumnSpec } from '../schema/column.js';
import type { Schema } from '../schema/schema.js';
import { SSSyncError } from '../util/errors.js';
import { createGuardTable } from './batch-push.js';
import { autocommit, type SqlDialect, type SyncDatabase, type Tx } from './database.js';
import { insertIgnore } from './ownership.js';
import {
  columnType,
  createDataTable,
  createMetaTables,
  createSchemaIndexes,
  encodeValue,
  META_TABLES,
} from './sql-schema.js';
import { describeSchema, type SchemaChange, type StoredSchema, schemaChanges } from './stored-schema.js';

/** An explicit migration of the server's tables from one schema version to the next ones. */
export type MigrateHook = (db: Kysely<any>, fromVersion: number, toVersion: number) => Promise<void>;

export interface ServerMeta {
  /** Random per database: a cursor from another database (or a reset one) is not taken for ours. */
  readonly epoch: string;
  /** Random per database: the key cursors are signed with, so a client cannot forge one. */
  readonly secret: string;
}

/** Brings the database to `schema` (under a lock, so concurrent servers migrate once) and returns its meta. */
export async function prepareDatabase(
  db: SyncDatabase,
  schema: Schema,
  hook: MigrateHook | undefined,
): Promise<ServerMeta> {
  return withMigrationLock(db, async (tx) => {
    await createMetaTables(tx, db.dialect);
    if (db.batch) await createGuardTable(tx);
    const existing = await tx
      .selectFrom(META_TABLES.version)
      .select('v')
      .where('id', '=', 1)
      .executeTakeFirst();
    if (!existing) await insertIgnore(db, tx, META_TABLES.version, 'id', { id: 1, v: 0 });
    let meta = await readMeta(tx);
    // Insert-if-absent and read back: servers racing without a lock (D1) agree on one epoch and secret.
    if (!meta.has('epoch') || !meta.has('secret')) {
      await insertIgnore(db, tx, META_TABLES.meta, 'name', { name: 'epoch', value: randomText(8) });
      await insertIgnore(db, tx, META_TABLES.meta, 'name', { name: 'secret', value: randomText(32) });
      meta = await readMeta(tx);
    }
    const info: ServerMeta = { epoch: meta.get('epoch')!, secret: meta.get('secret')! };
    const storedText = meta.get('schema');
    const stored = storedText === undefined ? undefined : (JSON.parse(storedText) as StoredSchema);
    const wanted = describeSchema(schema);
    if (stored === undefined) {
      for (const [name, def] of Object.entries(schema.tables))
        await createDataTable(tx, db.dialect, name, def);
    } else if (stored.version > schema.version) {
      // An older server next to a newer one (a deploy in progress): fine while what it knows is unchanged.
      const changes = schemaChanges(wanted, stored).filter((c) => c.destructive);
      if (changes.length > 0) throw tooOld(stored.version, schema.version, changes);
      return info;
    } else {
      const changes = schemaChanges(stored, wanted);
      if (changes.length === 0) return info;
      if (stored.version === schema.version) throw unversioned(schema.version, changes);
      if (hook) await hook(tx, stored.version, schema.version);
      else {
        const destructive = changes.filter((c) => c.destructive);
        if (destructive.length > 0) throw needsMigration(stored.version, schema.version, destructive);
      }
      await addMissing(tx, db.dialect, schema);
    }
    await writeMeta(tx, 'schema', JSON.stringify(wanted));
    return info;
  });
}

/** Creates missing tables and adds missing columns (existing rows get the column's default). */
async function addMissing(tx: Tx, dialect: SqlDialect, schema: Schema): Promise<void> {
  for (const [name, def] of Object.entries(schema.tables)) {
    const columns = await existingColumns(tx, dialect, name);
    if (columns.size === 0) {
      await createDataTable(tx, dialect, name, def);
      continue;
    }
    for (const [column, spec] of Object.entries(def.columns)) {
      if (columns.has(column)) continue;
      if (!spec.isOptional && !spec.hasDefault) {
        throw new SSSyncError(
          'MIGRATION_FAILED',
          `The new column "${name}.${column}" is required and has no default, so the rows already stored ` +
            'would break the schema. Give it a default, make it optional, or fill it in a `migrate` hook.',
        );
      }
      const value =
        typeof spec.defaultValue === 'function' ? (spec.defaultValue as () => unknown)() : spec.defaultValue;
      // A static default becomes the column's SQL default too, so rows that a server still on the
      // previous version inserts during a deploy get it as well.
      const literal =
        spec.hasDefault && typeof spec.defaultValue !== 'function'
          ? sqlLiteral(dialect, spec, value)
          : undefined;
      await tx.schema
        .alterTable(name)
        .addColumn(column, columnType(dialect, spec.kind), (c) => (literal ? c.defaultTo(literal) : c))
        .execute();
      if (spec.hasDefault) {
        await tx
          .updateTable(name)
          .set({ [column]: encodeValue(dialect, spec, value) })
          .execute();
      }
    }
    await createSchemaIndexes(tx, dialect, name, def);
  }
}

/** A default value as a SQL literal (DDL takes no parameters); MySQL wants expressions in parentheses. */
function sqlLiteral(dialect: SqlDialect, spec: ColumnSpec, value: unknown): RawBuilder<unknown> | undefined {
  const encoded = encodeValue(dialect, spec, value);
  if (encoded === null) return undefined;
  const literal = sql.lit(encoded as string | number | boolean);
  return dialect === 'mysql' ? sql`(${literal})` : literal;
}

/** The columns of a table in the current schema (database), empty when the table does not exist. */
async function existingColumns(tx: Tx, dialect: SqlDialect, table: string): Promise<Set<string>> {
  const query =
    dialect === 'sqlite'
      ? sql<{ name: string }>`select name from pragma_table_info(${table})`
      : dialect === 'postgres'
        ? sql<{ name: string }>`select column_name as name from information_schema.columns
            where table_schema = current_schema() and table_name = ${table}`
        : sql<{ name: string }>`select column_name as name from information_schema.columns
            where table_schema = database() and table_name = ${table}`;
  const { rows } = await query.execute(tx);
  return new Set(
    rows.map((r) => String((r as Record<string, unknown>).name ?? (r as Record<string, unknown>).NAME)),
  );
}

async function readMeta(tx: Tx): Promise<Map<string, string>> {
  const rows = await tx.selectFrom(META_TABLES.meta).select(['name', 'value']).execute();
  return new Map(rows.map((r) => [String(r.name), String(r.value)]));
}

async function writeMeta(tx: Tx, name: string, value: string): Promise<void> {
  const updated = await tx
    .updateTable(META_TABLES.meta)
    .set({ value })
    .where('name', '=', name)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0)
    await tx.insertInto(META_TABLES.meta).values({ name, value }).execute();
}

/**
 * Runs `fn` while no other server migrates: a transaction with an advisory lock on Postgres (whose
 * DDL is transactional), an immediate transaction on SQLite, a named lock on MySQL (whose DDL
 * commits at once, so a failed migration there may be left half done: it is re-run next time).
 * A database without transactions or locks (D1) runs it statement by statement: every step is
 * idempotent, and one that loses a race fails this attempt, which the next request repeats.
 */
async function withMigrationLock<T>(db: SyncDatabase, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (db.batch) return fn(autocommit(db));
  if (db.dialect === 'postgres') {
    return db.kysely.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(7342001)`.execute(tx);
      return fn(tx);
    });
  }
  if (db.dialect === 'sqlite') return db.kysely.transaction().execute(fn);
  return db.kysely.connection().execute(async (conn) => {
    await sql`select get_lock('sssync_migrate', 60)`.execute(conn);
    try {
      // MySQL's DDL commits implicitly; the statements run one by one on this connection.
      return await fn(conn as unknown as Tx);
    } finally {
      await sql`select release_lock('sssync_migrate')`.execute(conn);
    }
  });
}

/** `bytes` random bytes as base 36 text (two characters a byte). */
function randomText(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(36).padStart(2, '0'))
    .join('');
}

const list = (changes: readonly SchemaChange[]): string =>
  changes.map((c) => `- ${c.description}`).join('\n');

function needsMigration(from: number, to: number, changes: readonly SchemaChange[]): SSSyncError {
  return new SSSyncError(
    'MIGRATION_FAILED',
    `Schema version ${to} changes the database of version ${from} in ways that lose or retype data:\n` +
      `${list(changes)}\nWrite the migration yourself: pass \`migrate: async (db, from, to) => { … }\` ` +
      'to createSyncHandler (it runs once, before the server adds new tables and columns).',
  );
}

function unversioned(version: number, changes: readonly SchemaChange[]): SSSyncError {
  return new SSSyncError(
    'MIGRATION_FAILED',
    `The schema changed but its version is still ${version}:\n${list(changes)}\n` +
      'Raise `version` in defineSchema so that clients and the server can tell the two apart.',
  );
}

function tooOld(stored: number, mine: number, changes: readonly SchemaChange[]): SSSyncError {
  return new SSSyncError(
    'MIGRATION_FAILED',
    `The database has schema version ${stored}, newer than this server's ${mine}, and differs from it:\n` +
      `${list(changes)}\nDeploy the newer server.`,
  );
}
