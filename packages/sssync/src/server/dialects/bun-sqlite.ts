/**
 * `sssync/server/bun-sqlite`: the server's database in SQLite through Bun's built-in `bun:sqlite`
 * (better-sqlite3 is a Node addon Bun cannot load). Same tables and behaviour as
 * `sssync/server/sqlite`: one connection, `BEGIN IMMEDIATE` writes, WAL for files it opens.
 */
import {
  type DatabaseIntrospector,
  type Dialect,
  Kysely,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { SyncDatabase } from '../database.js';
import { ImmediateSqliteDriver } from './sqlite-driver.js';

/** The part of a `bun:sqlite` statement the adapter uses. */
export interface BunSqliteStatement {
  readonly columnNames: readonly string[];
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  iterate?(...params: unknown[]): IterableIterator<unknown>;
}

/** The part of a `bun:sqlite` `Database` the adapter uses: `new Database('sync.db')`. */
export interface BunSqliteLike {
  prepare(sql: string): BunSqliteStatement;
  close(): void;
}

/** bun:sqlite's statements as Kysely's SQLite driver expects them (better-sqlite3's shape). */
function asKyselyDatabase(db: BunSqliteLike): SqliteDatabase {
  return {
    prepare(sql) {
      const statement = db.prepare(sql);
      return {
        reader: statement.columnNames.length > 0,
        all: (params) => statement.all(...params),
        run: (params) => statement.run(...params),
        iterate: (params) =>
          statement.iterate ? statement.iterate(...params) : statement.all(...params)[Symbol.iterator](),
      };
    },
    close: () => db.close(),
  };
}

const BUSY = /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i;

export interface BunSqliteDatabaseOptions {
  /** As in `sssync/server/sqlite`: `'full'` (the default) syncs every commit; `'normal'` only checkpoints. */
  readonly synchronous?: 'full' | 'normal';
  /** Set WAL mode and `synchronous` (default true; leave false for `:memory:` or a database you set up). */
  readonly configure?: boolean;
}

/**
 * The server's database in a bun:sqlite `Database`: `bunSqliteDatabase(new Database('sync.db'))`.
 * The database stays yours: `close()` leaves it open.
 */
export function bunSqliteDatabase(
  database: BunSqliteLike,
  options: BunSqliteDatabaseOptions = {},
): SyncDatabase {
  if (options.configure ?? true) {
    database.prepare('pragma journal_mode = WAL').all();
    database.prepare(`pragma synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`).run();
    // As in sqlite.ts: savepoint journals in memory, not in a temporary file.
    database.prepare('pragma temp_store = memory').run();
  }
  database.prepare('pragma busy_timeout = 5000').all();
  const kyselyDb = asKyselyDatabase(database);
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () =>
      new ImmediateSqliteDriver({ database: { prepare: kyselyDb.prepare, close: () => {} } }),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => new SqliteIntrospector(db),
  };
  const kysely = new Kysely<any>({ dialect });
  return {
    kysely,
    dialect: 'sqlite',
    isRetryable: (e) => {
      const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
      return BUSY.test(`${String(code)} ${String(message)}`);
    },
    close: () => kysely.destroy(),
  };
}
