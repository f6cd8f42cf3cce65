import type { QueryAST } from '../query/ast.js';
import type { Change, Database, RowId } from '../query/database.js';
import { evaluate } from '../query/evaluate.js';
import type { Row } from '../query/predicate.js';
import { Query, type QueryHost } from '../query/query.js';
import type { Schema } from '../schema/schema.js';
import { normalizeInsert, normalizeUpdate } from '../schema/validate-row.js';
import type { UndoEntry } from '../store/store.js';
import { SSSyncError } from '../util/errors.js';
import type { Transaction } from './transaction.js';

/**
 * Records the first "before" image of every row a transaction touches, so the transaction can be
 * rolled back, its changes reported to live queries, and (kept with the outbox entry) undone on rebase.
 */
export class WriteLog {
  private readonly entries = new Map<string, UndoEntry>();

  record(table: string, id: RowId, before: Row | null): void {
    const key = `${table}\u0000${typeof id}\u0000${id}`;
    if (!this.entries.has(key)) this.entries.set(key, { table, id, before });
  }

  get undo(): UndoEntry[] {
    return [...this.entries.values()];
  }

  /** Puts every touched row back as it was, in reverse order. */
  rollback(db: Database): void {
    const all = this.undo;
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i]!;
      db.apply(e.table, e.id, e.before);
    }
  }

  /** The net changes (rows written back to their old value are left out). */
  changes(db: Database): Change[] {
    const out: Change[] = [];
    for (const e of this.entries.values()) {
      const after = db.table(e.table).get(e.id) ?? null;
      if (after !== e.before) out.push({ table: e.table, id: e.id, before: e.before, after });
    }
    return out;
  }
}

export interface TxContext {
  readonly clientID: string;
  readonly mutationID: number;
  readonly reason: 'initial' | 'rebase' | 'server';
  /** Defaults to `client`; an in-memory server (tests, the simulator) runs mutators here too. */
  readonly location?: 'client' | 'server';
  readonly userID?: string;
}

/**
 * A transaction that writes straight into the in-memory tables and logs what it overwrote. Writes
 * apply synchronously; the first failed write is remembered so that a mutator which forgot to
 * `await` one still fails as a whole.
 */
export function clientTransaction<S extends Schema>(
  db: Database,
  log: WriteLog,
  ctx: TxContext,
): { tx: Transaction<S>; failure: () => unknown } {
  const schema = db.schema;
  let failure: unknown;
  const guard = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      failure ??= e;
      const p = Promise.reject(e);
      p.catch(() => {});
      return p;
    }
  };
  const writer = (name: string) => {
    const table = db.table(name);
    const def = schema.tables[name]!;
    const write = (id: RowId, row: Row | null) => {
      log.record(name, id, table.get(id) ?? null);
      db.apply(name, id, row);
    };
    return {
      insert: (input: unknown) =>
        guard(() => {
          const row = normalizeInsert(name, def, input);
          if (table.get(row.id)) {
            throw new SSSyncError(
              'DUPLICATE_ID',
              `insert into "${name}": a row with id ${JSON.stringify(row.id)} exists; use upsert or update.`,
            );
          }
          write(row.id as RowId, row);
        }),
      upsert: (input: unknown) =>
        guard(() => {
          const id = (input as { id?: unknown } | null)?.id;
          const existing = table.get(id);
          const row = existing
            ? normalizeUpdate(name, def, existing, input)
            : normalizeInsert(name, def, input);
          write(row.id as RowId, row);
        }),
      update: (input: unknown) =>
        guard(() => {
          const id = (input as { id?: unknown } | null)?.id;
          const existing = table.get(id);
          if (!existing) {
            throw new SSSyncError('NOT_FOUND', `update of "${name}": no row with id ${JSON.stringify(id)}.`);
          }
          write(id as RowId, normalizeUpdate(name, def, existing, input));
        }),
      delete: (input: unknown) =>
        guard(() => {
          const id = (
            typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : input
          ) as RowId;
          if (table.get(id)) write(id, null);
        }),
      get: (id: unknown) => guard(() => table.get(id)),
    };
  };
  const host: QueryHost = {
    schema,
    run: async (ast: QueryAST) => evaluate(db, ast),
    subscribe: () => {
      throw new SSSyncError('INVALID_QUERY', 'subscribe() is not available inside a mutator; use run().');
    },
  };
  const tx: Record<string, unknown> = {
    query: queryRoot(host),
    clientID: ctx.clientID,
    mutationID: ctx.mutationID,
    location: ctx.location ?? 'client',
    userID: ctx.userID,
    reason: ctx.reason,
  };
  for (const name of Object.keys(schema.tables)) tx[name] = writer(name);
  return { tx: tx as Transaction<S>, failure: () => failure };
}

/** `sssync.query.<table>`: a fresh query per table, over a host. */
export function queryRoot(host: QueryHost): Record<string, Query<Schema, string>> {
  const root: Record<string, Query<Schema, string>> = {};
  for (const name of Object.keys(host.schema.tables)) {
    Object.defineProperty(root, name, { get: () => new Query(host, name), enumerable: true });
  }
  return root;
}
