import { valuesEqual } from '../query/compare.js';
import type { Change, Database, RowId } from '../query/database.js';
import type { Row } from '../query/predicate.js';
import type { UndoEntry } from '../store/store.js';
import { type Membership, type RowKey, rowKey } from './membership.js';

/**
 * Follows a multi-step update of the tables (undo pending mutations, apply the server's patch, replay):
 * the first "before" of each row and, at the end, its net change. It can also put everything back
 * (rows and resource membership) if the store commit fails.
 */
export class ChangeTracker {
  private readonly db: Database;
  private readonly membership: Membership;
  private readonly befores = new Map<RowKey, { table: string; id: RowId; before: Row | null }>();
  private readonly memberBefore = new Map<RowKey, ReturnType<Membership['snapshot']>>();
  /** The table and id of membership keys touched with them (saves parsing the key back). */
  private readonly memberRow = new Map<RowKey, { table: string; id: RowId }>();

  constructor(db: Database, membership: Membership) {
    this.db = db;
    this.membership = membership;
  }

  /** Notes a row about to change (keeps only the first note per row). */
  touch(table: string, id: RowId): RowKey {
    const key = rowKey(table, id);
    if (!this.befores.has(key))
      this.befores.set(key, { table, id, before: this.db.table(table).get(id) ?? null });
    return key;
  }

  touchMembership(key: RowKey, table?: string, id?: RowId): void {
    if (!this.memberBefore.has(key)) this.memberBefore.set(key, this.membership.snapshot(key));
    if (table !== undefined && id !== undefined) this.memberRow.set(key, { table, id });
  }

  set(table: string, id: RowId, row: Row | null): void {
    this.touch(table, id);
    this.db.apply(table, id, row);
  }

  /** Records what a mutator run changed (its log's before-images are the values it found). */
  noteUndo(undo: readonly UndoEntry[]): void {
    for (const e of undo) {
      const key = rowKey(e.table, e.id);
      if (!this.befores.has(key)) this.befores.set(key, { table: e.table, id: e.id, before: e.before });
    }
  }

  /**
   * The net changes. A row that ends equal to how it started (undone, then replayed or re-sent the
   * same) gets its original object back, so it keeps its identity and no query hears of it.
   */
  changes(): Change[] {
    const out: Change[] = [];
    for (const { table, id, before } of this.befores.values()) {
      const after = this.db.table(table).get(id) ?? null;
      if (after === before) continue;
      if (after && before && rowsEqual(after, before)) {
        this.db.apply(table, id, before);
        continue;
      }
      out.push({ table, id, before, after });
    }
    return out;
  }

  /** The rows whose membership changed (key, table, id), for persisting `$resources` records. */
  membershipRows(): { key: RowKey; table: string; id: RowId }[] {
    const out: { key: RowKey; table: string; id: RowId }[] = [];
    for (const key of this.memberBefore.keys()) {
      const known = this.memberRow.get(key);
      if (known) out.push({ key, ...known });
      else {
        const [table, id] = JSON.parse(key) as [string, RowId];
        out.push({ key, table, id });
      }
    }
    return out;
  }

  revert(): void {
    for (const { table, id, before } of this.befores.values()) this.db.apply(table, id, before);
    for (const [key, entry] of this.memberBefore) this.membership.restore(key, entry);
  }
}

function rowsEqual(a: Row, b: Row): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && valuesEqual(a[k], b[k]));
}
