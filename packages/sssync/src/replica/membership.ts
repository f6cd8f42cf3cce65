import { SSSyncError } from '../util/errors.js';

/** The internal page table that persists which persisted resources hold each row. */
export const MEMBERSHIP_TABLE = '$resources';

export type RowKey = string;

export const rowKey = (table: string, id: string | number): RowKey => JSON.stringify([table, id]);

export type MembershipRow = {
  readonly id: RowKey;
  readonly paths: readonly string[];
};

type Entry = { persisted: Set<string>; temporary: Set<string> };

/**
 * Which resources hold each row. A row leaves the client when the last resource holding it lets it go
 * (`del` or `clear`), so two resources sharing a row don't take it from each other. Rows held only by
 * temporary resources live in memory and are never written to the store; rows in no resource at all
 * are the app's own, not yet synced, and are kept.
 */
export class Membership {
  private readonly entries = new Map<RowKey, Entry>();

  /** Loads a row of the internal `$resources` page table. */
  load(raw: unknown): void {
    const row = raw as Partial<MembershipRow> | null;
    if (
      !row ||
      typeof row.id !== 'string' ||
      !Array.isArray(row.paths) ||
      !row.paths.every((p) => typeof p === 'string')
    ) {
      throw new SSSyncError(
        'STORE_CORRUPTED',
        'The local store is corrupted: a resource membership record is malformed.',
      );
    }
    this.entry(row.id).persisted = new Set(row.paths);
  }

  has(key: RowKey): boolean {
    return this.entries.has(key);
  }

  /** Rows held only by temporary resources are kept out of the store. */
  isTemporaryOnly(key: RowKey): boolean {
    const e = this.entries.get(key);
    return !!e && e.persisted.size === 0 && e.temporary.size > 0;
  }

  add(key: RowKey, path: string, temporary: boolean): void {
    const e = this.entry(key);
    (temporary ? e.temporary : e.persisted).add(path);
  }

  /** Returns true when no resource holds the row any more. */
  remove(key: RowKey, path: string, temporary: boolean): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    (temporary ? e.temporary : e.persisted).delete(path);
    if (e.persisted.size === 0 && e.temporary.size === 0) {
      this.entries.delete(key);
      return true;
    }
    return false;
  }

  /** Every row a resource holds. */
  keysOf(path: string, temporary: boolean): RowKey[] {
    const out: RowKey[] = [];
    for (const [key, e] of this.entries) if ((temporary ? e.temporary : e.persisted).has(path)) out.push(key);
    return out;
  }

  /** The stored form of a row's membership, or undefined when no persisted resource holds it. */
  stored(key: RowKey): MembershipRow | undefined {
    const e = this.entries.get(key);
    return e && e.persisted.size > 0 ? { id: key, paths: [...e.persisted] } : undefined;
  }

  /** A copy of one row's entry, to put back if a commit fails. */
  snapshot(key: RowKey): Entry | undefined {
    const e = this.entries.get(key);
    return e && { persisted: new Set(e.persisted), temporary: new Set(e.temporary) };
  }

  restore(key: RowKey, entry: Entry | undefined): void {
    if (entry) this.entries.set(key, entry);
    else this.entries.delete(key);
  }

  private entry(key: RowKey): Entry {
    let e = this.entries.get(key);
    if (!e) {
      e = { persisted: new Set(), temporary: new Set() };
      this.entries.set(key, e);
    }
    return e;
  }
}
