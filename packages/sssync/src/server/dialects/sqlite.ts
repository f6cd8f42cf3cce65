/**
 * `sssync/server/sqlite`: the server's database on SQLite through better-sqlite3 — the embedded
 * default. One connection; Kysely runs one transaction at a time on it, and writes begin with
 * `BEGIN IMMEDIATE` so that processes sharing the file take the write lock before they read.
 * Prepared statements are kept by SQL text (Kysely's driver would prepare every statement again).
 */
import BetterSqlite3 from 'better-sqlite3';
import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  Kysely,
  type QueryCompiler,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { errorCode, type SyncDatabase } from '../database.js';
import { ImmediateSqliteDriver } from './sqlite-driver.js';

/** At most this many prepared statements are kept (SQL with `in (…)` lists varies without end). */
const STATEMENT_CACHE = 512;

/**
 * The database as Kysely's driver sees it, preparing each SQL text once. A statement that is busy (an
 * iteration still open) is not shared: that call prepares a fresh one. SQLite re-prepares a cached
 * statement by itself when the schema changed; the cache is dropped after DDL all the same.
 */
function cachingDatabase(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(text) {
      const cached = cache.get(text);
      if (cached !== undefined && !cached.busy) return cached;
      const statement = db.prepare(text);
      if (/^\s*(create|alter|drop)\b/i.test(text)) cache.clear();
      else if (cached === undefined) {
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
        cache.set(text, statement);
      }
      return statement;
    },
    close: () => db.close(),
  };
}

function dialect(database: BetterSqlite3.Database): Dialect {
  const cached = cachingDatabase(database);
  return {
    createAdapter: (): DialectAdapter => new SqliteAdapter(),
    createDriver: (): Driver => new ImmediateSqliteDriver({ database: cached }),
    createQueryCompiler: (): QueryCompiler => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => new SqliteIntrospector(db),
  };
}

const RETRYABLE = new Set<unknown>(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED']);

export interface SqliteDatabaseOptions {
  /**
   * For a file this adapter opens (WAL mode): `'full'` (the default) syncs the WAL at every commit, so
   * an acknowledged push survives a power cut or OS crash. `'normal'` syncs only at checkpoints:
   * commits are much cheaper, stay atomic and survive the process crashing, but the last ones may be
   * lost with the machine — and a client that was told its mutations were applied has dropped them.
   * Choose it only where that loss is acceptable (a disk that is itself not durable, a cache).
   */
  readonly synchronous?: 'full' | 'normal';
}

/**
 * The server's database in SQLite: pass a better-sqlite3 database, or a file path (`':memory:'` for
 * tests). A path opens the file in WAL mode (readers never wait for the writer) with
 * `synchronous = FULL` (see `SqliteDatabaseOptions`), and `close()` closes it; a database you pass
 * stays yours to configure and close.
 */
export function sqliteDatabase(
  database: BetterSqlite3.Database | string,
  options: SqliteDatabaseOptions = {},
): SyncDatabase {
  const owned = typeof database === 'string';
  const db = owned ? new BetterSqlite3(database) : database;
  if (owned && database !== ':memory:' && database !== '') {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // Savepoint journals in memory: a push's savepoint over many rows would otherwise spill its
    // journal to a temporary file, and each mutation's writes then cost a write to disk (3× slower).
    db.pragma('temp_store = memory');
  }
  db.pragma('busy_timeout = 5000');
  const kysely = new Kysely<any>({ dialect: dialect(db) });
  return {
    kysely,
    dialect: 'sqlite',
    isRetryable: (e) => RETRYABLE.has(errorCode(e)),
    close: async () => {
      // Kysely's SQLite driver closes the database when destroyed; keep a caller's database open.
      if (owned) await kysely.destroy();
    },
  };
}
