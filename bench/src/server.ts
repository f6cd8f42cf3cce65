/**
 * The SQLite sync server the benchmarks talk to: `createSyncHandler` over better-sqlite3 (a file in
 * WAL mode), serving every book as the resource `/books`, seeded through the protocol itself (a client
 * pushing `putBooks` mutations), so the server's tables are exactly what real writes leave.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSSync } from 'sssync';
import { memoryStore } from 'sssync/memory';
import { createSyncHandler, type SyncHandler } from 'sssync/server';
import { sqliteDatabase } from 'sssync/server/sqlite';
import { BOOKS_PATH, mutators, schema } from './books-app.js';
import type { Book } from './data.js';
import { uniqueName } from './peers/peer.js';

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface BenchServer {
  readonly handler: SyncHandler;
  /** Calls the handler in-process, as `fetch` would over the network. */
  readonly fetch: FetchFn;
  close(): Promise<void>;
}

export const SERVER_URL = 'http://bench.local/sync';

export function sqliteServer(opts: { pageSize?: number; file?: string } = {}): BenchServer {
  const file = opts.file ?? join(mkdtempSync(join(tmpdir(), 'sssync-bench-')), 'server.db');
  const database = sqliteDatabase(file);
  const handler = createSyncHandler({
    schema,
    mutators,
    database,
    resources: { [BOOKS_PATH]: ({ query }) => query.books },
    authenticate: () => ({ userID: 'bench' }),
    limits: { pageSize: opts.pageSize ?? 1000, maxMutationsPerPush: 1000 },
    onError: (e) => console.error('bench server:', e),
  });
  return {
    handler,
    fetch: (input, init) => handler(new Request(input, init)),
    close: () => database.close(),
  };
}

/** Writes `books` on the server through pushes of `putBooks` mutations (500 rows each). */
export async function seed(fetch: FetchFn, books: readonly Book[], server = SERVER_URL): Promise<void> {
  const client = new SSSync(uniqueName('seeder'), {
    schema,
    mutators,
    store: memoryStore(),
    server,
    fetch,
    pushBatchSize: 4,
    onMutationError: (e) => console.error('seed', e),
  });
  await client.ready;
  const queued: Promise<unknown>[] = [];
  for (let i = 0; i < books.length; i += 500) queued.push(client.execute.putBooks(books.slice(i, i + 500)));
  await Promise.all(queued);
  while (client.pendingCount > 0) await client.sync();
  await client.close();
}
