/**
 * The database seam of the server: a Kysely instance plus the few facts about its dialect that the
 * server cannot get from Kysely (how to lock, which errors are worth retrying). The adapters in
 * `dialects/` build one from a driver (better-sqlite3, pg, mysql2, PGlite).
 */
import type { CompiledQuery, Kysely, Transaction } from 'kysely';
import { SSSyncError } from '../util/errors.js';

export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

export interface SyncDatabase {
  readonly kysely: Kysely<any>;
  readonly dialect: SqlDialect;
  /** A deadlock, serialization failure or busy database: the transaction may be run again. */
  isRetryable(error: unknown): boolean;
  /** Closes the pool or file (when the adapter opened it). */
  close(): Promise<void>;
  /**
   * Set by databases without interactive transactions (Cloudflare D1): runs the statements as one
   * atomic unit, all or none. The server then reads outside transactions and commits each push as one
   * batch guarded by optimistic checks (batch-push.ts, docs/server.md "Databases without transactions").
   */
  readonly batch?: (queries: readonly CompiledQuery[]) => Promise<void>;
  /** Bound parameters one statement may have (D1: 100); no limit when unset. */
  readonly maxParameters?: number;
}

export type Tx = Transaction<any>;

/**
 * The database itself where it has no interactive transactions (`batch` set): each statement commits
 * on its own, and the callers that need more check for concurrent writes themselves.
 */
export function autocommit(db: SyncDatabase): Tx {
  return db.kysely as unknown as Tx;
}

/** A transaction that writes: read committed (PG, MySQL) or `BEGIN IMMEDIATE` (SQLite). */
export function writeTransaction<T>(db: SyncDatabase, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (db.batch) return fn(autocommit(db));
  const builder = db.kysely.transaction();
  return (db.dialect === 'sqlite' ? builder : builder.setIsolationLevel('read committed')).execute(fn);
}

/** A read-only transaction that sees one snapshot from its first read to its end. */
export function snapshotTransaction<T>(db: SyncDatabase, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (db.batch) return fn(autocommit(db));
  const builder = db.kysely.transaction().setAccessMode('read only');
  return (db.dialect === 'sqlite' ? builder : builder.setIsolationLevel('repeatable read')).execute(fn);
}

/**
 * Where there are no transactions, another write committed while a request read or wrote (its
 * optimistic check failed): nothing of it was applied, and it may run again.
 */
export function writeConflict(cause?: unknown): SSSyncError {
  return new SSSyncError('SERVER_ERROR', 'Another write committed meanwhile: run the request again.', {
    ...(cause === undefined ? {} : { cause }),
    details: { status: 503, conflict: true },
  });
}

const isConflict = (e: unknown): boolean => e instanceof SSSyncError && e.details?.conflict === true;

const ATTEMPTS = 6;
/**
 * Write conflicts (no transactions: batch-push.ts) resolve once the request finds a quiet moment, so
 * they get more attempts, with pauses capped at `MAX_PAUSE_MS`.
 */
const CONFLICT_ATTEMPTS = 20;
const MAX_PAUSE_MS = 200;

/**
 * Runs `fn` again after a deadlock, serialization failure or write conflict (each attempt is a new
 * transaction), a few times with a growing random pause; then gives up with a 503 `SERVER_ERROR`.
 */
export async function withRetries<T>(db: SyncDatabase, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const conflict = isConflict(e);
      if (!conflict && !db.isRetryable(e)) throw e;
      if (attempt >= (conflict ? CONFLICT_ATTEMPTS : ATTEMPTS)) {
        throw new SSSyncError('SERVER_ERROR', 'The database is busy. Retry later.', {
          cause: e,
          details: { status: 503 },
        });
      }
      const pause = Math.min(MAX_PAUSE_MS, 5 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * pause));
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
