/**
 * `sssync/server/mysql`: the server's database on MySQL or MariaDB (InnoDB) through `mysql2`. Write
 * transactions run at READ COMMITTED (no gap locks; a row lock orders them, see docs/server.md);
 * pulls read one REPEATABLE READ snapshot.
 */
import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool, type PoolOptions } from 'mysql2';
import { errorCode, type SyncDatabase } from '../database.js';

/** ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT, ER_CHECKREAD (snapshot conflict). */
const RETRYABLE = new Set<unknown>([1213, 1205, 1020]);

const isPool = (p: Pool | PoolOptions): p is Pool => typeof (p as Pool).getConnection === 'function';

/**
 * The server's database in MySQL/MariaDB: pass a `mysql2` pool (the callback API's `createPool`, as
 * Kysely needs), or pool options. Options open a pool that `close()` ends; a pool you pass stays
 * yours. Tables use utf8mb4 with binary collation, so strings compare as they do on the client.
 */
export function mysqlDatabase(pool: Pool | PoolOptions): SyncDatabase {
  const owned = !isPool(pool);
  const p = isPool(pool) ? pool : createPool({ charset: 'utf8mb4', ...pool });
  const kysely = new Kysely<any>({ dialect: new MysqlDialect({ pool: p }) });
  return {
    kysely,
    dialect: 'mysql',
    isRetryable: (e) => RETRYABLE.has(errorCode(e)),
    close: async () => {
      if (owned) await kysely.destroy();
    },
  };
}
