import type Database from 'better-sqlite3';
import type { RowRecord } from '../schema/validate-row.js';
import { errorMessage, SSSyncError } from '../util/errors.js';
import { checkBatch, writeFailed } from './check-batch.js';
import { checkOutboxEntry, checkPage, corrupted } from './check-snapshot.js';
import { fromJsonText, toJsonText } from './json-text.js';
import { isDamaged, openSqliteFile, type SqliteStatements, sqliteCode } from './sqlite-file.js';
import type { Store, StoreBatch, StoredPage, StoreSnapshot } from './store.js';

export interface SqliteStoreOptions {
  /** Open an existing file for reading only (an inspector, a backup check); commits then fail. */
  readonly readonly?: boolean;
}

/**
 * A store in one SQLite file (desktop apps, Node, tests), laid out for people as much as for the
 * engine: a page is kept as its rows, one SQL row each with the row as JSON, so
 * `SELECT json_extract(data, '$.title') FROM sssync_rows WHERE tbl = 'books'` works in the sqlite3
 * tool. The layout is described in `sqlite-file.ts`.
 */
export function sqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  return new SqliteStore(path, options.readonly ?? false);
}

interface Open {
  readonly db: Database.Database;
  readonly sql: SqliteStatements;
  readonly write: (batch: EncodedBatch) => void;
}

/** A batch with every value already turned into JSON text. */
interface EncodedBatch {
  readonly clear: boolean;
  readonly deletePages: readonly string[];
  readonly putPages: readonly { id: string; table: string; rows: readonly (readonly [string, string])[] }[];
  readonly deleteOutbox: readonly number[];
  readonly putOutbox: readonly (readonly [number, string, string, number, string])[];
  readonly deleteMeta: readonly string[];
  readonly putMeta: readonly (readonly [string, string])[];
}

class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private current: Open | undefined;

  constructor(
    private readonly path: string,
    private readonly readonly: boolean,
  ) {}

  // The path names the database, so the client name given to `open` has nothing left to choose.
  async open(_name: string): Promise<void> {
    if (this.current) return;
    const { db, sql } = openSqliteFile(this.path, this.readonly);
    const write = db.transaction((b: EncodedBatch) => applyBatch(sql, b));
    // IMMEDIATE takes the write lock up front: another process writing makes us wait (busy timeout)
    // instead of failing half-way through when a read lock cannot be upgraded.
    this.current = { db, sql, write: (b) => write.immediate(b) };
  }

  async load(): Promise<StoreSnapshot> {
    const { db, sql } = this.use();
    let read: { pages: unknown[]; rows: unknown[]; outbox: unknown[]; meta: unknown[] };
    try {
      // One read transaction, so a commit from another process cannot land between the queries.
      read = db.transaction(() => ({
        pages: sql.selectPages.all(),
        rows: sql.selectRows.all(),
        outbox: sql.selectOutbox.all(),
        meta: sql.selectMeta.all(),
      }))();
    } catch (e) {
      throw isDamaged(e) ? corrupted(`the SQLite file ${this.path} is damaged`, e) : e;
    }
    return {
      pages: decodePages(read.pages as PageRecord[], read.rows as RowRecordInFile[]),
      outbox: (read.outbox as OutboxRecord[]).map((r) =>
        checkOutboxEntry({
          ...r,
          args: fromJsonText(r.args, `the args of outbox entry ${r.id}`),
          undo: fromJsonText(r.undo, `the undo of outbox entry ${r.id}`),
        }),
      ),
      meta: new Map(
        (read.meta as MetaRecord[]).map((r) => [r.key, fromJsonText(r.value, `meta "${r.key}"`)]),
      ),
    };
  }

  async commit(batch: StoreBatch): Promise<void> {
    const { write } = this.use();
    if (this.readonly) {
      throw new SSSyncError(
        'STORE_WRITE_FAILED',
        `The SQLite store at ${this.path} was opened read-only, so nothing was written; open it without { readonly: true } to write.`,
      );
    }
    checkBatch(batch);
    // Encoding before the transaction means a value that is not JSON fails before any write, and the
    // write lock is held only for the SQL.
    const encoded = encode(batch);
    try {
      write(encoded);
    } catch (e) {
      throw describeWriteFailure(e, this.path);
    }
  }

  async close(): Promise<void> {
    this.current?.db.close();
    this.current = undefined;
  }

  private use(): Open {
    if (!this.current) {
      throw new SSSyncError(
        'STORE_CLOSED',
        `The SQLite store at ${this.path} is closed: open it before use.`,
      );
    }
    return this.current;
  }
}

function encode(batch: StoreBatch): EncodedBatch {
  return {
    clear: batch.clear ?? false,
    deletePages: batch.deletePages ?? [],
    putPages: [...(batch.putPages ?? [])].map(([id, page]) => ({
      id,
      table: page.table,
      rows: page.rows.map((row) => [String(row.id), toJsonText(row, `a row of page "${id}"`)] as const),
    })),
    deleteOutbox: batch.deleteOutbox ?? [],
    putOutbox: (batch.putOutbox ?? []).map(
      (e) =>
        [
          e.id,
          e.name,
          toJsonText(e.args, `the args of outbox entry ${e.id}`),
          e.timestamp,
          toJsonText(e.undo, `the undo of outbox entry ${e.id}`),
        ] as const,
    ),
    deleteMeta: batch.deleteMeta ?? [],
    putMeta: [...(batch.putMeta ?? [])].map(
      ([key, value]) => [key, toJsonText(value, `meta "${key}"`)] as const,
    ),
  };
}

function applyBatch(sql: SqliteStatements, b: EncodedBatch): void {
  if (b.clear) for (const clear of sql.clearAll) clear.run();
  for (const id of b.deletePages) {
    sql.deleteRowsOfPage.run(id);
    sql.deletePage.run(id);
  }
  // Remove the old rows of every page first: a row that moves between two pages of this batch must
  // not meet its old copy in the primary key.
  for (const page of b.putPages) sql.deleteRowsOfPage.run(page.id);
  for (const page of b.putPages) {
    sql.putPage.run(page.id, page.table, page.rows.length);
    for (const [pos, [id, data]] of page.rows.entries())
      sql.insertRow.run(page.table, id, page.id, pos, data);
  }
  for (const id of b.deleteOutbox) sql.deleteOutbox.run(id);
  for (const entry of b.putOutbox) sql.putOutbox.run(...entry);
  for (const key of b.deleteMeta) sql.deleteMeta.run(key);
  for (const [key, value] of b.putMeta) sql.putMeta.run(key, value);
}

interface PageRecord {
  readonly id: unknown;
  readonly tbl: unknown;
  readonly row_count: unknown;
}
interface RowRecordInFile {
  readonly page: unknown;
  readonly tbl: unknown;
  readonly data: unknown;
}
interface OutboxRecord {
  readonly id: unknown;
  readonly name: unknown;
  readonly args: unknown;
  readonly timestamp: unknown;
  readonly undo: unknown;
}
interface MetaRecord {
  readonly key: string;
  readonly value: unknown;
}

function decodePages(pageRecords: readonly PageRecord[], rowRecords: readonly RowRecordInFile[]) {
  const rowsByPage = new Map<unknown, { table: unknown; count: unknown; rows: RowRecord[] }>();
  for (const p of pageRecords) rowsByPage.set(p.id, { table: p.tbl, count: p.row_count, rows: [] });
  // Rows arrive ordered by page and position, which is the order the page was written in.
  for (const r of rowRecords) {
    const page = rowsByPage.get(r.page);
    if (!page) throw corrupted(`rows of page "${String(r.page)}" have no entry in sssync_pages`);
    if (r.tbl !== page.table) throw corrupted(`a row of page "${String(r.page)}" belongs to another table`);
    page.rows.push(fromJsonText(r.data, `a row of page "${String(r.page)}"`) as RowRecord);
  }
  const pages = new Map<string, StoredPage>();
  for (const [id, page] of rowsByPage) {
    if (typeof id !== 'string') throw corrupted(`a page id is ${typeof id}, not text`);
    if (page.count !== page.rows.length) {
      throw corrupted(`page "${id}" should hold ${String(page.count)} rows but holds ${page.rows.length}`);
    }
    pages.set(id, checkPage(id, { table: page.table, rows: page.rows }));
  }
  return pages;
}

function describeWriteFailure(e: unknown, path: string): SSSyncError {
  if (isDamaged(e)) return corrupted(`the SQLite file ${path} is damaged`, e);
  const code = sqliteCode(e);
  const because = `(${errorMessage(e)})`;
  let advice = 'retry';
  if (code.startsWith('SQLITE_FULL')) advice = 'the disk is full: free up space, then retry';
  else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    advice = 'another process holds the file locked: close it, then retry';
  } else if (code.startsWith('SQLITE_READONLY')) advice = 'the file cannot be written: check its permissions';
  else if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    advice = 'a row id appears twice in one table, and a row must live in exactly one page';
  }
  return writeFailed(`Writing to ${path} failed ${because}; ${advice}.`, e);
}
