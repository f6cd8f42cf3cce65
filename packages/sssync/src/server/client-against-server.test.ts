/**
 * Real SSSync clients against `createSyncHandler` on SQLite, through an in-process `fetch`: the sync
 * tests' scenarios (offline writes, rejections, lost responses, rows leaving scope) on the real server.
 */
import { describe, expect, it, vi } from 'vitest';
import { SSSync } from '../client/sssync.js';
import type { Transaction } from '../mutation/transaction.js';
import { memoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { eventually, mutators, schema } from '../test/sync-fixture.js';
import { type Fault, faultyFetch } from '../testing/faulty-fetch.js';
import type { SyncDatabase } from './database.js';
import { sqliteDatabase } from './dialects/sqlite.js';
import { createSyncHandler, type SyncHandler } from './handler.js';
import { databaseRowsOf } from './test-app.js';

type Tx = Transaction<typeof schema>;

function makeServer(): { db: SyncDatabase; handler: SyncHandler } {
  const db = sqliteDatabase(':memory:');
  const handler = createSyncHandler({
    schema,
    mutators,
    database: db,
    serverMutators: {
      renameBook: async (tx: Tx, id: string, title: string) => {
        if (title.startsWith('!')) throw new Error('titles may not start with "!"');
        await tx.books.update({ id, title });
      },
      giveAway: (tx: Tx, id: string, owner: string) => tx.books.update({ id, owner }),
    },
    authenticate: (request) => {
      const user = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return user === undefined ? null : { userID: user };
    },
    resources: {
      '/user/books': ({ userID, query }) => query.books.where('owner', '=', userID),
      '/shelves': ({ query }) => query.shelves,
    },
  });
  return { db, handler };
}

function makeClient(
  handler: SyncHandler,
  opts: {
    store?: Store;
    faults?: (url: string, n: number) => Fault | undefined;
    onMutationError?: () => void;
  } = {},
) {
  const fetch = faultyFetch(
    (input, init) => handler(new Request(input, init)),
    opts.faults ?? (() => undefined),
  );
  const client = new SSSync('app', {
    schema,
    mutators,
    store: opts.store ?? memoryStore(),
    server: 'http://test/sync',
    fetch,
    headers: () => ({ authorization: 'Bearer alice' }),
    backoff: { baseMs: 1, maxMs: 4 },
    ...(opts.onMutationError ? { onMutationError: opts.onMutationError } : {}),
  });
  return { client, fetch };
}

const books = (db: SyncDatabase) => databaseRowsOf(db, schema, 'books');

describe('SSSync clients against createSyncHandler (SQLite)', () => {
  it('offline writes survive a restart and reach the server exactly once', async () => {
    const { db, handler } = makeServer();
    await handler.prepare();
    const store = memoryStore();
    const a = makeClient(handler, { store });
    a.fetch.online = false;
    await a.client.ready;
    await a.client.execute.addBook('b1', 'Offline');
    await a.client.execute.addPages('b1', 10);
    await a.client.execute.addPages('b1', 5);
    await eventually(() => expect(a.client.status.online).toBe(false));
    expect(await books(db)).toEqual([]);
    await a.client.close();

    const b = makeClient(handler, { store });
    await b.client.ready;
    expect(b.client.pendingCount).toBe(3);
    const mine = b.client.persist('/user/books');
    await b.client.sync();
    await mine.ready;
    expect(await books(db)).toEqual([{ id: 'b1', owner: 'alice', title: 'Offline', pages: 15 }]);
    await eventually(async () => {
      await b.client.sync();
      expect(b.client.pendingCount).toBe(0);
    });
    expect(await b.client.query.books.run()).toEqual(await books(db));
    await b.client.close();
    await db.close();
  });

  it('a rejected mutation rolls back and does not block the ones after it', async () => {
    const { db, handler } = makeServer();
    const onMutationError = vi.fn();
    const { client } = makeClient(handler, { onMutationError });
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'Good');
    const bad = client.execute.renameBook('b1', '!bad');
    await bad;
    const after = client.execute.setPages('b1', 7);
    await expect(bad.confirmed).rejects.toMatchObject({
      code: 'SERVER_REJECTED',
      details: { serverCode: 'MUTATOR_FAILED' },
    });
    await after.confirmed;
    await client.sync();
    const expected = [{ id: 'b1', owner: 'alice', title: 'Good', pages: 7 }];
    expect(await books(db)).toEqual(expected);
    await eventually(async () => expect(await client.query.books.run()).toEqual(expected));
    expect(onMutationError).toHaveBeenCalledTimes(1);
    await client.close();
    await db.close();
  });

  it('a response lost after the server committed does not apply anything twice', async () => {
    const { db, handler } = makeServer();
    const { client, fetch } = makeClient(handler, {
      faults: (url, n) => (url.endsWith('/push') && n < 3 ? 'drop-response' : undefined),
    });
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'Once');
    await client.execute.addPages('b1', 1);
    await client.execute.addPages('b1', 1);
    await client.sync().catch(() => {});
    await eventually(async () => {
      await client.sync();
      expect(client.pendingCount).toBe(0);
    });
    expect(fetch.log.filter((l) => l.fault === 'drop-response').length).toBeGreaterThan(0);
    expect(await books(db)).toEqual([{ id: 'b1', owner: 'alice', title: 'Once', pages: 2 }]);
    expect(await client.query.books.run()).toEqual(await books(db));
    await client.close();
    await db.close();
  });

  it('rows deleted on the server or leaving the scope are removed from the client', async () => {
    const { db, handler } = makeServer();
    const { client } = makeClient(handler);
    await client.ready;
    const mine = client.persist('/user/books');
    for (const id of ['b1', 'b2', 'b3']) await client.execute.addBook(id, id.toUpperCase());
    await client.sync();
    await mine.ready;
    await eventually(async () => expect((await client.query.books.run()).length).toBe(3));
    // Another device of the same user deletes b1 and gives b2 away.
    const other = await handler(
      new Request('http://test/sync/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer alice' },
        body: JSON.stringify({
          protocolVersion: 1,
          schemaVersion: 1,
          clientGroupID: 'other-device',
          clientID: 'other-client',
          mutations: [
            { id: 1, name: 'removeBook', args: ['b1'], timestamp: 1 },
            { id: 2, name: 'giveAway', args: ['b2', 'bob'], timestamp: 1 },
          ],
        }),
      }),
    );
    expect(other.status).toBe(200);
    await mine.refresh();
    expect((await client.query.books.run()).map((b) => b.id)).toEqual(['b3']);
    await client.close();
    await db.close();
  });
});
