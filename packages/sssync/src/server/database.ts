/**
 * The database seam of the server: a Kysely instance plus the few facts about its dialect that the
 * server cannot get from Kysely (how to lock, which errors are worth retrying). The adapters in
 * `dialects/` build one from a driver (better-sqlite3, pg, mysql2, PGlite).
 */
import type { Kysely, Transaction } from 'kysely';
import { SSSyncError } from '../util/errors.js';

export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

export interface SyncDatabase {
  readonly kysely: Kysely<any>;
  readonly dialect: SqlDialect;
  /** A deadlock, serialization failure or busy database: the transaction may be run again. */
  isRetryable(error: unknown): boolean;
  /** Closes the pool or file (when the adapter opened it). */
  close(): Promise<void>;
}

export type Tx = Transaction<any>;

/** A transaction that writes: read committed (PG, MySQL) or `BEGIN IMMEDIATE` (SQLite). */
export function writeTransaction<T>(db: SyncDatabase, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const builder = db.kysely.transaction();
  return (db.dialect === 'sqlite' ? builder : builder.setIsolationLevel('read committed')).execute(fn);
}

/** A read-only transaction that sees one snapshot from its first read to its end. */
export function snapshotTransaction<T>(db: SyncDatabase, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const builder = db.kysely.transaction().setAccessMode('read only');
  return (db.dialect === 'sqlite' ? builder : builder.setIsolationLevel('repeatable read')).execute(fn);
}

const ATTEMPTS = 6;

/**
 * Runs `fn` again after a deadlock or serialization failure (each attempt is a new transaction), a
 * few times with a growing random pause; then gives up with a 503 `SERVER_ERROR`.
 */
export async function withRetries<T>(db: SyncDatabase, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!db.isRetryable(e)) throw e;
      if (attempt >= ATTEMPTS) {
        throw new SSSyncError('SERVER_ERROR', 'The database is busy. Retry later.', {
          cause: e,
          details: { status: 503 },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}

/** The error's `code` (pg, SQLite) or `errno` (mysql2), for the adapters' `isRetryable`. */
export function errorCode(e: unknown): string | number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, errno } = e as { code?: unknown; errno?: unknown };
  if (typeof errno === 'number') return errno;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}
