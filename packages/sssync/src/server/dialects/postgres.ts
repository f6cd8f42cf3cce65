/**
 * `sssync/server/postgres`: the server's database on Postgres through `pg`. Write transactions run at
 * READ COMMITTED (a row lock orders them, see docs/server.md); pulls read one REPEATABLE READ snapshot.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { errorCode, type SyncDatabase } from '../database.js';

/** serialization_failure, deadlock_detected, lock_not_available. */
const RETRYABLE = new Set<unknown>(['40001', '40P01', '55P03']);

/**
 * The server's database in Postgres: pass a `pg.Pool`, or a pool configuration (`connectionString`,
 * `max`…). A configuration opens a pool that `close()` ends; a pool you pass stays yours to end.
 */
export function postgresDatabase(pool: pg.Pool | pg.PoolConfig): SyncDatabase {
  const owned = !(pool instanceof pg.Pool);
  const p = owned ? new pg.Pool(pool as pg.PoolConfig) : (pool as pg.Pool);
  const kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool: p }) });
  return {
    kysely,
    dialect: 'postgres',
    isRetryable: (e) => RETRYABLE.has(errorCode(e)),
    close: async () => {
      if (owned) await kysely.destroy();
    },
  };
}
