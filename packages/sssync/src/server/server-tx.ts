/**
 * The `Transaction` mutators get on the server: the same API and the same rules as the client's
 * in-memory one (mutation/client-tx.ts) — insert of an existing id is `DUPLICATE_ID`, update of a
 * missing row `NOT_FOUND`, delete of a missing row does nothing, rows are checked against the schema —
 * over the database transaction of one mutation. Every written row is stamped with the
 * transaction's version; deletes leave a tombstone; the row's previous image is kept for pulls.
 */
import type { Compilable } from 'kysely';
import { queryRoot } from '../mutation/client-tx.js';
import type { Transaction } from '../mutation/transaction.js';
import type { Schema } from '../schema/schema.js';
import type { TableDef } from '../schema/table.js';
import { normalizeInsert, normalizeUpdate, type RowRecord } from '../schema/validate-row.js';
import { SSSyncError } from '../util/errors.js';
import type { SqlDialect, Tx } from './database.js';
import { type Arg, type Prepared, prepared } from './prepared.js';
import { serverQueryHost } from './query-host.js';
import { fits } from './sql-filter.js';
import { decodeRow, encodeFlag, encodeRow, SYNC } from './sql-schema.js';
import type { WriteSet } from './write-set.js';

export interface ServerTxContext {
  readonly tx: Tx;
  readonly dialect: SqlDialect;
  readonly schema: Schema;
  /** The version this mutation's writes are stamped with. */
  readonly version: number;
  readonly clientID: string;
  readonly mutationID: number;
  readonly userID: string;
  /** Where the database has no interactive transactions: writes are kept here, not executed. */
  readonly writes?: WriteSet | undefined;
  /** Bound parameters per statement (`SyncDatabase.maxParameters`). */
  readonly maxParameters?: number | undefined;
}

export interface ServerTransaction<S extends Schema> {
  readonly tx: Transaction<S>;
  /** Waits for every operation the mutator started (awaited or not); throws the first failure. */
  settle(): Promise<void>;
  /** Waits for what is running and refuses anything started later. */
  close(): Promise<void>;
}

type SqlRow = Record<string, unknown>;

export function serverTransaction<S extends Schema>(ctx: ServerTxContext): ServerTransaction<S> {
  const { tx, dialect, schema, version, writes } = ctx;
  let queue: Promise<unknown> = Promise.resolve();
  let failure: unknown;
  let closed = false;
  // Operations run one at a time, in the order the mutator started them, as on the client.
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) {
      const error = new SSSyncError(
        'MUTATOR_FAILED',
        'A write ran after its mutator had finished: await it.',
      );
      failure ??= error;
      return Promise.reject(error);
    }
    const op = queue.then(fn);
    queue = op.catch(() => {});
    op.catch((e: unknown) => {
      failure ??= e;
    });
    return op;
  };

  const readFull = async (table: string, def: TableDef, id: unknown): Promise<SqlRow | undefined> => {
    if (!validId(def, id)) return undefined;
    return writes?.get(table, id) ?? (await selectRow(table)(tx, id)).rows[0];
  };
  const alive = (row: SqlRow | undefined): row is SqlRow =>
    row !== undefined && !(Number(row[SYNC.deleted]) !== 0 || row[SYNC.deleted] === true);

  /** Writes `row` (or a tombstone for `null`) over `existing`. */
  const store = async (
    table: string,
    def: TableDef,
    id: unknown,
    row: RowRecord | null,
    existing?: SqlRow,
  ) => {
    const sameTx = existing !== undefined && Number(existing[SYNC.version]) === version;
    const prevVersion = sameTx
      ? Number(existing[SYNC.prevVersion])
      : existing
        ? Number(existing[SYNC.version])
        : 0;
    const prev = sameTx
      ? (existing[SYNC.prev] ?? null)
      : alive(existing)
        ? JSON.stringify(decodeRow(def, existing))
        : null;
    const values: SqlRow = {
      ...(row ? encodeRow(dialect, def, row) : {}),
      [SYNC.version]: version,
      [SYNC.deleted]: encodeFlag(dialect, row === null),
      [SYNC.prevVersion]: prevVersion,
      [SYNC.prev]: prev,
    };
    if (writes) writes.put(table, id, { ...existing, ...values }, existing !== undefined);
    else if (existing) {
      // The id stays: setting it again would make SQLite rewrite the primary key's index entry.
      const columns = Object.keys(values).filter((c) => c !== 'id');
      await updateRow(table, columns)(tx, ...columns.map((c) => values[c]), id);
    } else {
      const columns = Object.keys(values);
      await insertRow(table, columns)(tx, ...columns.map((c) => values[c]));
    }
  };

  const writer = (name: string) => {
    const def = schema.tables[name]!;
    return {
      insert: (input: unknown) =>
        serialize(async () => {
          const row = normalizeInsert(name, def, input);
          const existing = await readFull(name, def, row.id);
          if (alive(existing)) {
            throw new SSSyncError(
              'DUPLICATE_ID',
              `insert into "${name}": a row with id ${JSON.stringify(row.id)} exists; use upsert or update.`,
            );
          }
          await store(name, def, row.id, row, existing);
        }),
      upsert: (input: unknown) =>
        serialize(async () => {
          const existing = await readFull(name, def, (input as { id?: unknown } | null)?.id);
          const row = alive(existing)
            ? normalizeUpdate(name, def, decodeRow(def, existing), input)
            : normalizeInsert(name, def, input);
          await store(name, def, row.id, row, existing);
        }),
      update: (input: unknown) =>
        serialize(async () => {
          const id = (input as { id?: unknown } | null)?.id;
          const existing = await readFull(name, def, id);
          if (!alive(existing)) {
            throw new SSSyncError('NOT_FOUND', `update of "${name}": no row with id ${JSON.stringify(id)}.`);
          }
          await store(name, def, id, normalizeUpdate(name, def, decodeRow(def, existing), input), existing);
        }),
      delete: (input: unknown) =>
        serialize(async () => {
          const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : input;
          const existing = await readFull(name, def, id);
          if (alive(existing)) await store(name, def, id, null, existing);
        }),
      get: (id: unknown) =>
        serialize(async () => {
          const existing = await readFull(name, def, id);
          return alive(existing) ? Object.freeze(decodeRow(def, existing)) : undefined;
        }),
    };
  };

  const transaction: Record<string, unknown> = {
    query: queryRoot(
      serverQueryHost({ tx, dialect, schema, maxParameters: ctx.maxParameters, writes }, serialize),
    ),
    clientID: ctx.clientID,
    mutationID: ctx.mutationID,
    location: 'server',
    userID: ctx.userID,
    reason: 'server',
  };
  for (const name of Object.keys(schema.tables)) transaction[name] = writer(name);

  return {
    tx: transaction as Transaction<S>,
    settle: async () => {
      // Operations may start more operations; wait until the queue stops growing.
      for (let seen: unknown; seen !== queue; ) {
        seen = queue;
        await queue;
      }
      if (failure !== undefined) throw failure;
    },
    close: async () => {
      closed = true;
      await queue;
    },
  };
}

/** A table's statements, prepared once per table and column list (a tombstone sets fewer columns). */
const statements = new Map<string, Prepared<unknown[]>>();
/** Column lists come from the schema, so a few per table; the bound only keeps a process's many schemas in check. */
const MAX_STATEMENTS = 1_000;

function statement(key: string, build: (tx: Tx, arg: Arg) => Compilable<unknown>): Prepared<unknown[]> {
  let found = statements.get(key);
  if (found === undefined) {
    if (statements.size >= MAX_STATEMENTS) statements.clear();
    found = prepared(build);
    statements.set(key, found);
  }
  return found;
}

const selectRow = (table: string) =>
  statement(`select\0${table}`, (tx, arg) => tx.selectFrom(table).selectAll().where('id', '=', arg(0)));

const updateRow = (table: string, columns: readonly string[]) =>
  statement(`update\0${table}\0${columns.join('\0')}`, (tx, arg) =>
    tx
      .updateTable(table)
      .set(Object.fromEntries(columns.map((c, i) => [c, arg(i)])))
      .where('id', '=', arg(columns.length)),
  );

const insertRow = (table: string, columns: readonly string[]) =>
  statement(`insert\0${table}\0${columns.join('\0')}`, (tx, arg) =>
    tx.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, arg(i)]))),
  );

function validId(def: TableDef, id: unknown): boolean {
  const spec = def.columns.id;
  return spec !== undefined && fits(spec, id);
}
