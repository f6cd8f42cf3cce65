/**
 * Kysely's SQLite driver with write transactions that begin with `BEGIN IMMEDIATE`, so that processes
 * sharing the file take the write lock before they read (better-sqlite3 and bun:sqlite adapters).
 */
import { CompiledQuery, type DatabaseConnection, SqliteDriver, type TransactionSettings } from 'kysely';

export class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}
