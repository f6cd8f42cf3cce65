/**
 * store/: the persistence contract. A store holds three things and changes them only in atomic
 * commits: row pages (hundreds of rows per record, never one record per row), the outbox of pending
 * mutations, and metadata. `load()` returns everything; the engine keeps rows and indexes in memory.
 *
 * The guarantee every store gives: a `commit` is all-or-nothing and durable once its promise resolves;
 * commits are applied in the order they were called; `load` sees every resolved commit.
 */
import type { RowRecord } from '../schema/validate-row.js';

export interface StoredPage {
  readonly table: string;
  readonly rows: readonly RowRecord[];
}

/** What a mutation changed, kept with it so it can be undone (rebase, rollback, undo). */
export interface UndoEntry {
  readonly table: string;
  readonly id: string | number;
  /** The row before the mutation, or `null` if it did not exist. */
  readonly before: RowRecord | null;
}

export interface OutboxEntry {
  /** Increases by one per client, starting at 1. */
  readonly id: number;
  readonly name: string;
  readonly args: readonly unknown[];
  /** Client clock, milliseconds since the epoch; informational only. */
  readonly timestamp: number;
  readonly undo: readonly UndoEntry[];
}

export interface StoreSnapshot {
  readonly pages: ReadonlyMap<string, StoredPage>;
  /** Sorted by `id`. */
  readonly outbox: readonly OutboxEntry[];
  readonly meta: ReadonlyMap<string, unknown>;
}

export interface StoreBatch {
  /** Remove every page, outbox entry and meta key first (a reset or a migration rewrite). */
  readonly clear?: boolean;
  readonly putPages?: ReadonlyMap<string, StoredPage>;
  readonly deletePages?: readonly string[];
  readonly putOutbox?: readonly OutboxEntry[];
  readonly deleteOutbox?: readonly number[];
  readonly putMeta?: ReadonlyMap<string, unknown>;
  readonly deleteMeta?: readonly string[];
}

export interface Store {
  /** A short name for logs and devtools: `memory`, `indexeddb`, `sqlite`. */
  readonly kind: string;
  /** Opens (creating if needed) the store for the client database named `name`. */
  open(name: string): Promise<void>;
  load(): Promise<StoreSnapshot>;
  commit(batch: StoreBatch): Promise<void>;
  close(): Promise<void>;
}

export function isEmptyBatch(b: StoreBatch): boolean {
  return (
    !b.clear &&
    !b.putPages?.size &&
    !b.deletePages?.length &&
    !b.putOutbox?.length &&
    !b.deleteOutbox?.length &&
    !b.putMeta?.size &&
    !b.deleteMeta?.length
  );
}
