/**
 * `sssync/server/sqlite`: the server's database on SQLite through better-sqlite3 — the embedded
 * default. One connection; Kysely runs one transaction at a time on it, and writes begin with
 * `BEGIN IMMEDIATE` so that processes sharing the file take the write lock before they read.
 */
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type TransactionSettings,
} from 'kysely';
import { errorCode, type SyncDatabase } from '../database.js';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}

function dialect(database: BetterSqlite3.Database): Dialect {
  return {
    createAdapter: (): DialectAdapter => new SqliteAdapter(),
    createDriver: (): Driver => new ImmediateSqliteDriver({ database }),
    createQueryCompiler: (): QueryCompiler => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => new SqliteIntrospector(db),
  };
}

const RETRYABLE = new Set<unknown>(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED']);

/**
 * The server's database in SQLite: pass a better-sqlite3 database, or a file path (`':memory:'` for
 * tests). A path opens the file in WAL mode (readers never wait for the writer), and `close()`
 * closes it; a database you pass stays yours to close.
 */
export function sqliteDatabase(database: BetterSqlite3.Database | string): SyncDatabase {
  const owned = typeof database === 'string';
  const db = owned ? new BetterSqlite3(database) : database;
  if (owned && database !== ':memory:' && database !== '') db.pragma('journal_mode = WAL');
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
