/**
 * server/: the recommended sync server — PROTOCOL.md as a stateless Fetch-API handler over a SQL
 * database through Kysely (SQLite, Postgres, MySQL/MariaDB, PGlite, Cloudflare D1, bun:sqlite;
 * adapters in `dialects/`, each its own entry point; `lambda.ts` adapts AWS Lambda events). It owns
 * the server's tables, their migrations, exactly-once push, and gapless pull cursors (docs/server.md
 * explains the design; docs/deploy.md where it runs).
 */
export type { SqlDialect, SyncDatabase } from './database.js';
export { type CreateSyncHandlerOptions, createSyncHandler, type SyncHandler } from './handler.js';
export type { MigrateHook } from './migrate.js';
export { toNodeHandler } from './node.js';
export type {
  AuthContext,
  ResourceContext,
  ResourceDef,
  ServerLimits,
  SyncHandlerOptions,
} from './options.js';
/** PROTOCOL.md §11: serve these (never in production) to run `npx sssync conformance` against a server. */
export {
  testModeAuthenticate,
  testModeMutators,
  testModeOptions,
  testModeRateLimit,
  testModeResources,
  testModeSchema,
  testModeServerMutators,
} from './test-mode.js';
