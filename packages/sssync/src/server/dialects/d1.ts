/**
 * `sssync/server/d1`: the server's database in Cloudflare D1 (SQLite at the edge), through its
 * binding's prepared statements and `batch()`. D1 has no interactive transactions, so the adapter
 * offers `batch` and the server commits every push as one guarded batch (../batch-push.ts).
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { SSSyncError } from '../../util/errors.js';
import type { SyncDatabase } from '../database.js';

/** The part of a D1 prepared statement the adapter uses (Cloudflare's `D1PreparedStatement`). */
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  all(): Promise<{ results?: unknown[]; meta?: { changes?: number; last_row_id?: number } }>;
}

/** The part of a D1 binding the adapter uses (Cloudflare's `D1Database`, `env.DB` in a Worker). */
export interface D1DatabaseLike {
  prepare(query: string): D1StatementLike;
  batch(statements: D1StatementLike[]): Promise<unknown[]>;
}

/** D1 binds strings, numbers, null and bytes; booleans become 0/1 as SQLite stores them. */
const bindable = (value: unknown): unknown =>
  value === undefined ? null : typeof value === 'boolean' ? Number(value) : value;

const statement = (d1: D1DatabaseLike, query: CompiledQuery): D1StatementLike =>
  d1.prepare(query.sql).bind(...query.parameters.map(bindable));

class D1Connection implements DatabaseConnection {
  private readonly d1: D1DatabaseLike;

  constructor(d1: D1DatabaseLike) {
    this.d1 = d1;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { results, meta } = await statement(this.d1, query).all();
    return {
      rows: (results ?? []) as R[],
      numAffectedRows: BigInt(meta?.changes ?? 0),
      ...(meta?.last_row_id === undefined ? {} : { insertId: BigInt(meta.last_row_id) }),
    };
  }

  // biome-ignore lint/correctness/useYield: D1 has no cursors; the server never streams
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new SSSyncError('INVALID_ARGUMENT', 'D1 cannot stream query results: use execute().');
  }
}

/** Statements run one by one; a "transaction" here is refused, as D1 cannot hold one open. */
class D1Driver implements Driver {
  private readonly connection: D1Connection;

  constructor(d1: D1DatabaseLike) {
    this.connection = new D1Connection(d1);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.connection;
  }

  async beginTransaction(): Promise<void> {
    throw new SSSyncError(
      'INVALID_ARGUMENT',
      'D1 has no interactive transactions: run the statements as one `batch()` instead.',
    );
  }

  async commitTransaction(): Promise<void> {}

  async rollbackTransaction(): Promise<void> {}

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {}
}

/**
 * D1's transient failures (the database object restarted or moved, the connection dropped): a batch
 * either committed or not, and the push's guard makes running it again safe either way.
 */
const TRANSIENT =
  /network connection lost|object to be reset|reset because its code was updated|transient issue|internal error|SQLITE_BUSY|overloaded/i;

/** The server's database in D1: pass the binding (`env.DB`). There is nothing to close. */
export function d1Database(d1: D1DatabaseLike): SyncDatabase {
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new D1Driver(d1),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => new SqliteIntrospector(db),
  };
  const kysely = new Kysely<any>({ dialect });
  return {
    kysely,
    dialect: 'sqlite',
    isRetryable: (e) => e instanceof Error && TRANSIENT.test(e.message),
    close: () => kysely.destroy(),
    maxParameters: 100,
    batch: async (queries) => {
      await d1.batch(queries.map((q) => statement(d1, q)));
    },
  };
}
