import { SSSyncError } from '../util/errors.js';

/** The internal page table that persists which persisted resources hold each row. */
export const MEMBERSHIP_TABLE = '$resources';

export type RowKey = string;

const prefixes = new Map<string, string>();

/** `JSON.stringify([table, id])`, with the table's part built once (a key per row per write adds up). */
export const rowKey = (table: string, id: string | number): RowKey => {
  let prefix = prefixes.get(table);
  if (prefix === undefined) {
    prefix = JSON.stringify([table]).slice(0, -1);
    if (prefixes.size < 1000) prefixes.set(table, prefix);
  }
  return `${prefix},${JSON.stringify(id)}]`;
};

/**
 * Store format 2: one `$resources` record per data page, beside it (page id `$resources:<data page>`):
 * the distinct holder lists of the page's rows and, per row in page order, the index of its list
 * (-1: held by no persisted resource). Format 1 kept one record per row — 100k extra objects to
 * write, read and hold for 100k rows.
 */
export type MembershipPageRow = {
  readonly id: string;
  readonly sets: readonly (readonly string[])[];
  readonly of: readonly number[];
};

export const membershipPageId = (dataPageId: string): string => `${MEMBERSHIP_TABLE}:${dataPageId}`;

/**
 * A row a persisted resource holds that is in no data page (a pending mutation deleted it here) has a
 * record of its own, in format 1 (`MembershipRow`): else a restart forgets that the resource holds it,
 * and when the rebase undoes the delete, the server's `del` can no longer take the row away.
 */
export const absentPageId = (key: RowKey): string => `${MEMBERSHIP_TABLE}#${key}`;
export const ABSENT_PAGE_PREFIX = `${MEMBERSHIP_TABLE}#`;

/** Format 1: one record per row. */
export type MembershipRow = {
  readonly id: RowKey;
  readonly paths: readonly string[];
};

/**
 * The resources holding one row. Entries are immutable and interned: 100k rows held by the same
 * resource share one object, so membership costs a map slot per row, not two sets.
 */
type Entry = { readonly persisted: readonly string[]; readonly temporary: readonly string[] };

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * Which resources hold each row. A row leaves the client when the last resource holding it lets it go
 * (`del` or `clear`), so two resources sharing a row don't take it from each other. Rows held only by
 * temporary resources live in memory and are never written to the store; rows in no resource at all
 * are the app's own, not yet synced, and are kept.
 */
export class Membership {
  private readonly entries = new Map<RowKey, Entry>();
  /** How many rows some temporary resource holds: while 0, no row is temporary-only (the hot path). */
  private temporaryHeld = 0;
  private readonly interned = new Map<string, Entry>();
  /** entry → path → the entry with that path added (persisted and temporary), so adds don't re-intern. */
  private readonly added = [
    new WeakMap<Entry, Map<string, Entry>>(),
    new WeakMap<Entry, Map<string, Entry>>(),
  ];
  private readonly none: Entry = this.intern(EMPTY, EMPTY);

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
    const e = this.entries.get(row.id);
    this.set(row.id, this.intern([...new Set(row.paths)], e?.temporary ?? EMPTY));
  }

  /** Loads a format-2 record for the data page it describes (rows as stored, in page order). */
  loadPage(
    raw: unknown,
    page: { readonly table: string; readonly rows: readonly { readonly id?: unknown }[] },
  ): void {
    const rec = raw as Partial<MembershipPageRow> | null;
    const bad = (what: string) =>
      new SSSyncError('STORE_CORRUPTED', `The local store is corrupted: a resource membership page ${what}.`);
    if (!rec || !Array.isArray(rec.sets) || !Array.isArray(rec.of)) throw bad('is malformed');
    if (rec.of.length !== page.rows.length) throw bad('does not match its data page');
    const entries: Entry[] = [];
    for (const set of rec.sets) {
      if (!Array.isArray(set) || !set.every((p) => typeof p === 'string')) throw bad('is malformed');
      entries.push(this.intern([...new Set(set as string[])], EMPTY));
    }
    for (let i = 0; i < rec.of.length; i++) {
      const n = rec.of[i];
      if (n === -1) continue;
      const entry = typeof n === 'number' ? entries[n] : undefined;
      const id = page.rows[i]!.id;
      if (!entry || (typeof id !== 'string' && typeof id !== 'number')) throw bad('is malformed');
      const key = rowKey(page.table, id);
      const e = this.entries.get(key);
      this.set(key, e && e.temporary.length > 0 ? this.intern(entry.persisted, e.temporary) : entry);
    }
  }

  /** The format-2 record for a data page, or undefined when no row of it is held by a persisted resource. */
  pageRecord(
    dataPageId: string,
    page: { readonly table: string; readonly rows: readonly { readonly id?: unknown }[] },
  ): MembershipPageRow | undefined {
    const sets: (readonly string[])[] = [];
    const index = new Map<readonly string[], number>();
    const of: number[] = [];
    for (const row of page.rows) {
      const e = this.entries.get(rowKey(page.table, row.id as string | number));
      if (!e || e.persisted.length === 0) {
        of.push(-1);
        continue;
      }
      let n = index.get(e.persisted);
      if (n === undefined) {
        n = sets.length;
        sets.push(e.persisted);
        index.set(e.persisted, n);
      }
      of.push(n);
    }
    return sets.length === 0 ? undefined : { id: dataPageId, sets, of };
  }

  has(key: RowKey): boolean {
    return this.entries.has(key);
  }

  /** `isTemporaryOnly` without building the key when no temporary resource holds anything. */
  isTemporaryOnlyRow(table: string, id: string | number): boolean {
    return this.temporaryHeld > 0 && this.isTemporaryOnly(rowKey(table, id));
  }

  /** Rows held only by temporary resources are kept out of the store. */
  isTemporaryOnly(key: RowKey): boolean {
    if (this.temporaryHeld === 0) return false;
    const e = this.entries.get(key);
    return !!e && e.persisted.length === 0 && e.temporary.length > 0;
  }

  add(key: RowKey, path: string, temporary: boolean): void {
    const e = this.entries.get(key) ?? this.none;
    const cache = this.added[temporary ? 1 : 0]!;
    let byPath = cache.get(e);
    if (!byPath) {
      byPath = new Map();
      cache.set(e, byPath);
    }
    let next = byPath.get(path);
    if (!next) {
      const list = temporary ? e.temporary : e.persisted;
      const grown = list.includes(path) ? list : [...list, path];
      next = temporary ? this.intern(e.persisted, grown) : this.intern(grown, e.temporary);
      byPath.set(path, next);
    }
    if (next !== e || !this.entries.has(key)) this.set(key, next);
  }

  /** Returns true when no resource holds the row any more. */
  remove(key: RowKey, path: string, temporary: boolean): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    const list = temporary ? e.temporary : e.persisted;
    if (list.includes(path)) {
      const next = list.filter((p) => p !== path);
      this.set(key, temporary ? this.intern(e.persisted, next) : this.intern(next, e.temporary));
    }
    const now = this.entries.get(key)!;
    if (now.persisted.length === 0 && now.temporary.length === 0) {
      this.set(key, undefined);
      return true;
    }
    return false;
  }

  /** Every row a resource holds. */
  keysOf(path: string, temporary: boolean): RowKey[] {
    const out: RowKey[] = [];
    for (const [key, e] of this.entries)
      if ((temporary ? e.temporary : e.persisted).includes(path)) out.push(key);
    return out;
  }

  /** One row's entry, to put back if a commit fails (entries are immutable: no copy needed). */
  snapshot(key: RowKey): Entry | undefined {
    return this.entries.get(key);
  }

  restore(key: RowKey, entry: Entry | undefined): void {
    this.set(key, entry);
  }

  private set(key: RowKey, entry: Entry | undefined): void {
    const old = this.entries.get(key);
    if (old && old.temporary.length > 0) this.temporaryHeld--;
    if (entry) {
      if (entry.temporary.length > 0) this.temporaryHeld++;
      this.entries.set(key, entry);
    } else this.entries.delete(key);
  }

  private intern(persisted: readonly string[], temporary: readonly string[]): Entry {
    const id = JSON.stringify([persisted, temporary]);
    let e = this.interned.get(id);
    if (!e) {
      e = Object.freeze({
        persisted: persisted.length === 0 ? EMPTY : Object.freeze([...persisted]),
        temporary: temporary.length === 0 ? EMPTY : Object.freeze([...temporary]),
      });
      this.interned.set(id, e);
    }
    return e;
  }
}
