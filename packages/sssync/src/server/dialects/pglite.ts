/**
 * `sssync/server/pglite`: the server's database in PGlite (Postgres in WebAssembly, in-process): for
 * tests, demos and single-process apps that want Postgres semantics without a Postgres server.
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  type DatabaseIntrospector,
  type Dialect,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import { errorCode, type SyncDatabase } from '../database.js';
import { PGliteDriver } from './pglite-driver.js';

const RETRYABLE = new Set<unknown>(['40001', '40P01', '55P03']);

/** The server's database in a PGlite instance. It stays yours: `close()` does not close it. */
export function pgliteDatabase(pg: PGlite): SyncDatabase {
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PGliteDriver(pg),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => new PostgresIntrospector(db),
  };
  const kysely = new Kysely<any>({ dialect });
  return {
    kysely,
    dialect: 'postgres',
    isRetryable: (e) => RETRYABLE.has(errorCode(e)),
    close: () => kysely.destroy(),
  };
}
