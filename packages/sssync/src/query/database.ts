import type { Schema } from '../schema/schema.js';
import { SSSyncError } from '../util/errors.js';
import type { Row } from './predicate.js';
import { SortedIndex } from './sorted-index.js';

export type RowId = string | number;

/** One row's change inside a transaction: `before`/`after` are `null` for insert/delete. */
export interface Change {
  readonly table: string;
  readonly id: RowId;
  readonly before: Row | null;
  readonly after: Row | null;
}

/** The rows of one table, by id, with its secondary indexes kept in step. */
export class TableData {
  readonly name: string;
  readonly rows = new Map<RowId, Row>();
  private readonly indexes = new Map<string, SortedIndex>();
  /** While set (`Database.bulk`), index updates wait here, in order. */
  private deferred: { before: Row | null; after: Row | null }[] | undefined;

  constructor(name: string, declaredIndexes: readonly (readonly string[])[]) {
    this.name = name;
    for (const cols of declaredIndexes) this.ensureIndex(cols);
  }

  get(id: unknown): Row | undefined {
    return this.rows.get(id as RowId);
  }

  /** Inserts or replaces a row; returns the previous version. */
  put(row: Row): Row | null {
    const id = row.id as RowId;
    const before = this.rows.get(id) ?? null;
    if (before === row) return before;
    this.rows.set(id, row);
    if (this.deferred) {
      this.deferred.push({ before, after: row });
      return before;
    }
    for (const index of this.indexes.values()) {
      if (before) index.remove(before);
      index.insert(row);
    }
    return before;
  }

  delete(id: RowId): Row | null {
    const before = this.rows.get(id) ?? null;
    if (!before) return null;
    this.rows.delete(id);
    if (this.deferred) this.deferred.push({ before, after: null });
    else for (const index of this.indexes.values()) index.remove(before);
    return before;
  }

  /** Starts holding index updates back (see `Database.bulk`). */
  defer(): void {
    this.deferred ??= [];
  }

  /**
   * Brings the indexes up to date: a few changes are replayed one by one, many (an eighth of the
   * table or more) rebuild each index with one sort — a bootstrap no longer pays a search per row.
   */
  flush(): void {
    const pending = this.deferred;
    this.deferred = undefined;
    if (!pending || pending.length === 0 || this.indexes.size === 0) return;
    if (pending.length >= 1024 && pending.length * 8 >= this.rows.size) {
      for (const index of this.indexes.values()) index.rebuild(this.rows.values());
      return;
    }
    for (const index of this.indexes.values()) {
      for (const { before, after } of pending) {
        if (before) index.remove(before);
        if (after) index.insert(after);
      }
    }
  }

  clear(): void {
    this.rows.clear();
    if (this.deferred) this.deferred = [];
    for (const [key, index] of this.indexes) this.indexes.set(key, new SortedIndex(index.columns));
  }

  allIndexes(): Iterable<SortedIndex> {
    return this.indexes.values();
  }

  findIndex(columns: readonly string[]): SortedIndex | undefined {
    return this.indexes.get(columns.join('\u0000'));
  }

  /** Returns the index on exactly these columns, building it if it does not exist yet. */
  ensureIndex(columns: readonly string[]): SortedIndex {
    const key = columns.join('\u0000');
    let index = this.indexes.get(key);
    if (!index) {
      if (this.deferred) {
        this.flush();
        this.deferred = [];
      }
      index = new SortedIndex(columns);
      index.rebuild(this.rows.values());
      this.indexes.set(key, index);
    }
    return index;
  }
}

/** The in-memory copy of every table: what queries read and mutations write. */
export class Database {
  readonly schema: Schema;
  private readonly tables = new Map<string, TableData>();

  constructor(schema: Schema) {
    this.schema = schema;
    for (const [name, def] of Object.entries(schema.tables))
      this.tables.set(name, new TableData(name, def.indexes));
  }

  table(name: string): TableData {
    const t = this.tables.get(name);
    if (!t) throw new SSSyncError('UNKNOWN_TABLE', `Unknown table "${name}": it is not in the schema.`);
    return t;
  }

  tableNames(): IterableIterator<string> {
    return this.tables.keys();
  }

  /**
   * Runs `fn` (synchronous: nothing may query in between) with index maintenance held back, then
   * updates the indexes at once. For bulk writes such as a server patch.
   */
  bulk<T>(fn: () => T): T {
    for (const t of this.tables.values()) t.defer();
    try {
      return fn();
    } finally {
      for (const t of this.tables.values()) t.flush();
    }
  }

  /** Applies a change (in either direction) without validation: rows here are already checked. */
  apply(table: string, id: RowId, row: Row | null): Row | null {
    const t = this.table(table);
    return row ? t.put(row) : t.delete(id);
  }
}
