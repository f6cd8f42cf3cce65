/**
 * The reference server's change log: the version at which each row (or its tombstone) last changed.
 * Versions are handed out by `take()` and become visible by `append()`. Cursors are "the highest
 * version visible", which never skips only because the server appends in the order it takes — unless
 * a test asks it not to (ReferenceServerBugs.skipConcurrentCommit).
 */
import type { RowId } from '../../query/database.js';

export interface LogEntry {
  readonly table: string;
  readonly id: RowId;
  readonly version: number;
}

export class ChangeLog {
  private taken = 0;
  private visible = 0;
  private readonly entries = new Map<string, LogEntry>();

  /** The highest version visible: what a cursor of a complete pull holds. */
  get head(): number {
    return this.visible;
  }

  /** The version of a transaction that is starting. */
  take(): number {
    return ++this.taken;
  }

  /** Makes a transaction's changed rows visible at its version. */
  append(version: number, rows: readonly { readonly table: string; readonly id: RowId }[]): void {
    for (const { table, id } of rows) {
      const key = `${table}\u0000${typeof id}\u0000${id}`;
      const existing = this.entries.get(key);
      if (existing === undefined || existing.version < version) this.entries.set(key, { table, id, version });
    }
    this.visible = Math.max(this.visible, version);
  }

  /** The visible changes after `version` to rows of `tables`, oldest first. */
  since(version: number, tables: ReadonlySet<string>): LogEntry[] {
    return [...this.entries.values()]
      .filter((entry) => entry.version > version && tables.has(entry.table))
      .sort((a, b) => a.version - b.version);
  }
}
