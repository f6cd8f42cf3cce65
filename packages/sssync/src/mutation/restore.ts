import type { Schema } from '../schema/schema.js';
import { SSSyncError } from '../util/errors.js';
import type { Transaction } from './transaction.js';

/**
 * The built-in mutator that undo and redo run (`sssync.undo()`): it puts rows back to earlier values.
 * `defineMutators` adds it to every mutator set, so the client, `createSyncHandler` and the reference
 * server all know it without the app doing anything; it is an ordinary mutator, so an app whose rows
 * are owned replaces it on the server (`serverMutators: { [RESTORE_MUTATOR]: restoreMutator(...) }`).
 */
export const RESTORE_MUTATOR = '__sssync_restore';

/** One row to put back: only if it still equals `expect` (null = absent); then it becomes `restore`. */
export interface RestoreItem {
  readonly table: string;
  readonly id: string | number;
  readonly expect: Readonly<Record<string, unknown>> | null;
  readonly restore: Readonly<Record<string, unknown>> | null;
}

/** Decides whether the current user may put `item` back (server-side permission check). */
export type RestoreCheck<S extends Schema> = (
  tx: Transaction<S>,
  item: RestoreItem,
  current: Readonly<Record<string, unknown>> | null,
) => boolean | Promise<boolean>;

/**
 * The restore mutator, optionally with a permission check per row (for a server override). A row that
 * changed since the undone mutation (its value is not `expect`) is left alone: someone else's write
 * wins over an undo. A row the check refuses fails the whole mutation with `FORBIDDEN`.
 */
export function restoreMutator<S extends Schema>(schema: S, check?: RestoreCheck<S>) {
  return async (tx: Transaction<S>, items: unknown): Promise<void> => {
    const list = parseRestoreItems(schema, items);
    const writers = tx as unknown as Record<
      string,
      {
        get(id: unknown): Promise<Record<string, unknown> | undefined>;
        upsert(row: unknown): Promise<void>;
        delete(row: unknown): Promise<void>;
      }
    >;
    for (const item of list) {
      const w = writers[item.table]!;
      const current = (await w.get(item.id)) ?? null;
      if (!sameValue(current, item.expect)) continue;
      if (check && !(await check(tx, item, current))) {
        throw new SSSyncError('FORBIDDEN', `You may not restore ${item.table} ${JSON.stringify(item.id)}.`);
      }
      if (item.restore === null) await w.delete({ id: item.id });
      else {
        // Columns the old value lacks (absent at that time) are cleared, so the row is exactly `restore`.
        const cleared = current ? Object.fromEntries(Object.keys(current).map((k) => [k, null])) : {};
        await w.upsert({ ...cleared, ...item.restore });
      }
    }
  };
}

function parseRestoreItems(schema: Schema, items: unknown): RestoreItem[] {
  const bad = (why: string): never => {
    throw new SSSyncError('INVALID_ARGUMENT', `${RESTORE_MUTATOR}: ${why}.`, {
      details: { mutator: RESTORE_MUTATOR, argument: 0 },
    });
  };
  if (!Array.isArray(items)) bad('the argument must be an array of { table, id, expect, restore }');
  return (items as unknown[]).map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) return bad(`item ${i} is not an object`);
    const { table, id, expect, restore } = raw as Record<string, unknown>;
    if (typeof table !== 'string' || !Object.hasOwn(schema.tables, table)) {
      return bad(`item ${i} names an unknown table ${JSON.stringify(table)}`);
    }
    if (typeof id !== 'string' && typeof id !== 'number') return bad(`item ${i} has no string or number id`);
    for (const [what, row] of [
      ['expect', expect],
      ['restore', restore],
    ] as const) {
      if (row === null) continue;
      if (typeof row !== 'object' || Array.isArray(row) || row === undefined) {
        return bad(`item ${i}: ${what} must be a row or null`);
      }
      if ((row as Record<string, unknown>).id !== id) return bad(`item ${i}: ${what}.id must be ${id}`);
    }
    return {
      table,
      id,
      expect: expect as RestoreItem['expect'],
      restore: restore as RestoreItem['restore'],
    };
  });
}

/** Deep equality of JSON values, ignoring key order (rows read from SQL and memory differ in order). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameValue(x, bb[i]));
  }
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  return (
    ak.length === Object.keys(bo).length &&
    ak.every((k) => Object.hasOwn(bo, k) && sameValue((a as Record<string, unknown>)[k], bo[k]))
  );
}
