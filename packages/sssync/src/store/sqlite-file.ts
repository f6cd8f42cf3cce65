import Database from 'better-sqlite3';
import { errorMessage, SSSyncError } from '../util/errors.js';
import { writeFailed } from './check-batch.js';
import { corrupted } from './check-snapshot.js';

/**
 * The layout of a SQLite store file, and opening one. Plain tables a person can query with the sqlite3
 * tool (no STRICT tables, which older sqlite3 builds refuse to read). `PRAGMA user_version` holds the
 * format, so a file written by a newer SSSync is refused before anything in it changes.
 */
const FORMAT_VERSION = 1;

const LAYOUT = `
  -- Bookkeeping per page: its table, and its row count so a lost row shows as corruption.
  CREATE TABLE sssync_pages (id TEXT PRIMARY KEY, tbl TEXT NOT NULL, row_count INTEGER NOT NULL);
  -- One SQL row per engine row; data is the whole row as JSON (the id keeps its type there), pos its
  -- place in the page. A row id lives in one page of its table.
  CREATE TABLE sssync_rows (
    tbl TEXT NOT NULL, id TEXT NOT NULL, page TEXT NOT NULL, pos INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (tbl, id)
  );
  CREATE INDEX sssync_rows_page ON sssync_rows (page, pos);
  CREATE TABLE sssync_outbox (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, args TEXT NOT NULL, timestamp INTEGER NOT NULL, undo TEXT NOT NULL
  );
  CREATE TABLE sssync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export interface SqliteStatements {
  readonly selectPages: Database.Statement;
  readonly selectRows: Database.Statement;
  readonly selectOutbox: Database.Statement;
  readonly selectMeta: Database.Statement;
  readonly clearAll: readonly Database.Statement[];
  readonly putPage: Database.Statement;
  readonly deletePage: Database.Statement;
  readonly insertRow: Database.Statement;
  readonly deleteRowsOfPage: Database.Statement;
  readonly putOutbox: Database.Statement;
  readonly deleteOutbox: Database.Statement;
  readonly putMeta: Database.Statement;
  readonly deleteMeta: Database.Statement;
}

export function openSqliteFile(
  path: string,
  readonly: boolean,
): { db: Database.Database; sql: SqliteStatements } {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (e) {
    throw writeFailed(
      `Could not open the SQLite file ${path} (${errorMessage(e)}); check the path, and that its folder exists and is writable.`,
      e,
    );
  }
  try {
    const format = db.pragma('user_version', { simple: true });
    if (typeof format !== 'number' || format > FORMAT_VERSION) {
      throw new SSSyncError(
        'STORE_NEWER_SCHEMA',
        `The SQLite file ${path} has store format ${String(format)}, newer than this SSSync understands (${FORMAT_VERSION}). Nothing was changed; upgrade SSSync to open it.`,
      );
    }
    if (readonly && format < FORMAT_VERSION) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        `${path} holds no SSSync store, so there is nothing to read.`,
      );
    }
    if (!readonly) {
      // WAL lets readers (the sqlite3 tool, an inspector) look while the app writes. NORMAL syncs at
      // checkpoints: a commit survives the app crashing, and only a power cut can lose the latest.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      if (format < FORMAT_VERSION) {
        db.transaction(() => {
          db.exec(LAYOUT);
          db.pragma(`user_version = ${FORMAT_VERSION}`);
        }).immediate();
      }
    }
    return { db, sql: prepare(db) };
  } catch (e) {
    db.close();
    if (e instanceof SSSyncError) throw e;
    if (isDamaged(e)) throw corrupted(`${path} is not a readable SQLite database`, e);
    throw writeFailed(`Could not open the SQLite file ${path} (${errorMessage(e)}).`, e);
  }
}

function prepare(db: Database.Database): SqliteStatements {
  const tables = ['sssync_rows', 'sssync_pages', 'sssync_outbox', 'sssync_meta'];
  return {
    selectPages: db.prepare('SELECT id, tbl, row_count FROM sssync_pages'),
    selectRows: db.prepare('SELECT page, tbl, data FROM sssync_rows ORDER BY page, pos'),
    selectOutbox: db.prepare('SELECT id, name, args, timestamp, undo FROM sssync_outbox ORDER BY id'),
    selectMeta: db.prepare('SELECT key, value FROM sssync_meta'),
    clearAll: tables.map((t) => db.prepare(`DELETE FROM ${t}`)),
    putPage: db.prepare('INSERT OR REPLACE INTO sssync_pages (id, tbl, row_count) VALUES (?, ?, ?)'),
    deletePage: db.prepare('DELETE FROM sssync_pages WHERE id = ?'),
    insertRow: db.prepare('INSERT INTO sssync_rows (tbl, id, page, pos, data) VALUES (?, ?, ?, ?, ?)'),
    deleteRowsOfPage: db.prepare('DELETE FROM sssync_rows WHERE page = ?'),
    putOutbox: db.prepare(
      'INSERT OR REPLACE INTO sssync_outbox (id, name, args, timestamp, undo) VALUES (?, ?, ?, ?, ?)',
    ),
    deleteOutbox: db.prepare('DELETE FROM sssync_outbox WHERE id = ?'),
    putMeta: db.prepare('INSERT OR REPLACE INTO sssync_meta (key, value) VALUES (?, ?)'),
    deleteMeta: db.prepare('DELETE FROM sssync_meta WHERE key = ?'),
  };
}

/** better-sqlite3's error code (`SQLITE_FULL`, `SQLITE_CONSTRAINT_PRIMARYKEY`…), or ''. */
export const sqliteCode = (e: unknown): string =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : '';

/** SQLITE_CORRUPT, SQLITE_NOTADB and their extended codes: the file itself is damaged. */
export const isDamaged = (e: unknown): boolean => /^SQLITE_(CORRUPT|NOTADB)/.test(sqliteCode(e));
