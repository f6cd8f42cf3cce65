/**
 * Undo/redo against the real server (`createSyncHandler` on SQLite) and the reference server: an undo
 * is an ordinary `__sssync_restore` mutation, so it works offline, syncs, and skips rows changed since.
 */
import { describe, expect, it } from 'vitest';
import { SSSync } from '../client/sssync.js';
import { RESTORE_MUTATOR, restoreMutator } from '../mutation/restore.js';
import type { Transaction } from '../mutation/transaction.js';
import type { SyncDatabase } from '../server/database.js';
import { sqliteDatabase } from '../server/dialects/sqlite.js';
import { createSyncHandler, type SyncHandler } from '../server/handler.js';
import { databaseRowsOf } from '../server/test-app.js';
import { memoryStore } from '../store/memory-store.js';
import {
  eventually,
  makeClient as makeReferenceClient,
  makeServer as makeReferenceServer,
  mutators,
  schema,
} from '../test/sync-fixture.js';
import { faultyFetch } from '../testing/faulty-fetch.js';

type Tx = Transaction<typeof schema>;

function makeServer(opts: { ownedRestore?: boolean } = {}): { db: SyncDatabase; handler: SyncHandler } {
  const db = sqliteDatabase(':memory:');
  const handler = createSyncHandler({
    schema,
    mutators,
    database: db,
    ...(opts.ownedRestore
      ? {
          serverMutators: {
            // Only the owner may put a book back, and only as a book they still own.
            [RESTORE_MUTATOR]: restoreMutator(
              schema,
              (tx: Tx, item, current) =>
                item.table !== 'books' ||
                ((current === null || current.owner === tx.userID) &&
                  (item.restore === null || item.restore.owner === tx.userID)),
            ),
          },
        }
      : // Undo is opt-in on a server: without an override its restore mutator is refused.
        { serverMutators: { [RESTORE_MUTATOR]: restoreMutator(schema) } }),
    authenticate: (request) => {
      const user = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return user === undefined ? null : { userID: user };
    },
    resources: { '/user/books': ({ userID, query }) => query.books.where('owner', '=', userID) },
  });
  return { db, handler };
}

function makeClient(handler: SyncHandler, user = 'alice') {
  const fetch = faultyFetch(
    (input, init) => handler(new Request(input, init)),
    () => undefined,
  );
  const client = new SSSync('app', {
    schema,
    mutators,
    store: memoryStore(),
    server: 'http://test/sync',
    fetch,
    headers: () => ({ authorization: `Bearer ${user}` }),
    backoff: { baseMs: 1, maxMs: 4 },
  });
  return { client, fetch };
}

const books = (db: SyncDatabase) => databaseRowsOf(db, schema, 'books');

async function settled(client: SSSync<typeof schema, typeof mutators.defs>): Promise<void> {
  await eventually(async () => {
    await client.sync();
    expect(client.pendingCount).toBe(0);
  });
}

describe('undo/redo', () => {
  it('undo after sync: a new mutation restores the row on the server too', async () => {
    const { db, handler } = makeServer();
    const { client } = makeClient(handler);
    await client.ready;
    const mine = client.persist('/user/books');
    await client.execute.addBook('b1', 'One');
    await client.execute.setPages('b1', 10);
    await settled(client);
    await mine.ready;
    expect(await books(db)).toEqual([{ id: 'b1', owner: 'alice', title: 'One', pages: 10 }]);

    expect(await client.undo()).toEqual({ undone: 1, skipped: [] });
    expect((await client.query.books.one().run())?.pages).toBe(0);
    expect(client.pendingCount).toBe(1); // the undo is queued like any write
    await settled(client);
    expect(await books(db)).toEqual([{ id: 'b1', owner: 'alice', title: 'One', pages: 0 }]);

    // Undoing the insert removes the row everywhere.
    expect(await client.undo()).toEqual({ undone: 1, skipped: [] });
    await settled(client);
    expect(await books(db)).toEqual([]);
    expect(await client.query.books.run()).toEqual([]);
    expect(await client.undo()).toEqual({ undone: 0, skipped: [] }); // nothing left
    await client.close();
    await db.close();
  });

  it('undo offline, then the undo syncs when back online', async () => {
    const { db, handler } = makeServer();
    const { client, fetch } = makeClient(handler);
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'One');
    await settled(client);
    fetch.online = false;
    await client.execute.renameBook('b1', 'Offline title');
    await client.execute.setPages('b1', 3);
    expect(await client.undo()).toEqual({ undone: 1, skipped: [] });
    expect(await client.query.books.one().run()).toMatchObject({ title: 'Offline title', pages: 0 });
    await client.sync().catch(() => {}); // offline: fails, nothing lost
    expect(await books(db)).toEqual([{ id: 'b1', owner: 'alice', title: 'One', pages: 0 }]);
    fetch.online = true;
    await settled(client);
    expect(await books(db)).toEqual([{ id: 'b1', owner: 'alice', title: 'Offline title', pages: 0 }]);
    expect(await client.query.books.run()).toEqual(await books(db));
    await client.close();
    await db.close();
  });

  it('a row someone else changed since is skipped and reported; the others are undone', async () => {
    const { db, handler } = makeServer();
    const a = makeClient(handler);
    const b = makeClient(handler); // another device of the same user
    await a.client.ready;
    await b.client.ready;
    const aBooks = a.client.persist('/user/books');
    b.client.persist('/user/books');
    await a.client.execute.addBook('b1', 'One');
    await a.client.execute.addBook('b2', 'Two');
    await settled(a.client);
    await a.client.batch(async () => {
      await a.client.execute.setPages('b1', 10);
      await a.client.execute.setPages('b2', 20);
    });
    await settled(a.client);
    await settled(b.client);
    await b.client.execute.setPages('b2', 99);
    await settled(b.client);
    await aBooks.refresh();
    expect((await a.client.query.books.where('id', '=', 'b2').one().run())?.pages).toBe(99);

    expect(await a.client.undo()).toEqual({ undone: 1, skipped: [{ table: 'books', id: 'b2' }] });
    await settled(a.client);
    expect((await books(db)).map((r) => [r.id, r.pages])).toEqual([
      ['b1', 0],
      ['b2', 99],
    ]);
    await a.client.close();
    await b.client.close();
    await db.close();
  });

  it('an undo made offline does not overwrite a change the server got meanwhile', async () => {
    const { db, handler } = makeServer();
    const a = makeClient(handler);
    const b = makeClient(handler);
    await a.client.ready;
    await b.client.ready;
    a.client.persist('/user/books');
    b.client.persist('/user/books');
    await a.client.execute.addBook('b1', 'One');
    await a.client.execute.setPages('b1', 10);
    await settled(a.client);
    a.fetch.online = false;
    await settled(b.client);
    await b.client.execute.setPages('b1', 50);
    await settled(b.client);
    // A has not heard of 50: locally the undo applies, but the server's restore sees another value.
    expect(await a.client.undo()).toEqual({ undone: 1, skipped: [] });
    expect((await a.client.query.books.one().run())?.pages).toBe(0);
    a.fetch.online = true;
    await settled(a.client);
    expect((await books(db))[0]?.pages).toBe(50);
    await eventually(async () => expect((await a.client.query.books.one().run())?.pages).toBe(50));
    await a.client.close();
    await b.client.close();
    await db.close();
  });

  it('batch groups mutations (awaited or not) into one undo step', async () => {
    const { db, handler } = makeServer();
    const { client } = makeClient(handler);
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'One');
    const out = await client.batch(() => {
      void client.execute.addBook('b2', 'Two');
      void client.execute.setPages('b1', 5);
      return 'done';
    });
    expect(out).toBe('done');
    expect((await client.query.books.run()).length).toBe(2);
    expect(await client.undo()).toEqual({ undone: 2, skipped: [] });
    expect(await client.query.books.run()).toEqual([{ id: 'b1', owner: 'alice', title: 'One', pages: 0 }]);
    await settled(client);
    expect(await books(db)).toEqual([{ id: 'b1', owner: 'alice', title: 'One', pages: 0 }]);
    await client.close();
    await db.close();
  });

  it('redo puts the undone change back; a new mutation clears redo', async () => {
    const { db, handler } = makeServer();
    const { client } = makeClient(handler);
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'One');
    await client.execute.setPages('b1', 10);
    await client.execute.setPages('b1', 20);
    await client.undo();
    await client.undo();
    expect((await client.query.books.one().run())?.pages).toBe(0);
    expect(client.canRedo).toBe(true);
    expect(await client.redo()).toEqual({ undone: 1, skipped: [] });
    expect((await client.query.books.one().run())?.pages).toBe(10);
    await settled(client);
    expect((await books(db))[0]?.pages).toBe(10);
    // The redo itself is undoable.
    await client.undo();
    expect((await client.query.books.one().run())?.pages).toBe(0);
    await client.execute.renameBook('b1', 'New');
    expect(client.canRedo).toBe(false);
    expect(await client.redo()).toEqual({ undone: 0, skipped: [] });
    await client.close();
    await db.close();
  });

  it('the server enforces permissions through a __sssync_restore override', async () => {
    const { db, handler } = makeServer({ ownedRestore: true });
    const { client } = makeClient(handler);
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'Alice');
    await client.execute.setPages('b1', 10);
    await settled(client);
    await client.undo();
    await settled(client);
    expect((await books(db))[0]?.pages).toBe(0); // the owner may
    // Bob pushes a restore of Alice's book by hand: refused, nothing changes.
    const res = await handler(
      new Request('http://test/sync/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer bob' },
        body: JSON.stringify({
          protocolVersion: 1,
          schemaVersion: 1,
          clientGroupID: 'bob-device',
          clientID: 'bob-client',
          mutations: [
            {
              id: 1,
              name: RESTORE_MUTATOR,
              args: [[{ table: 'books', id: 'b1', expect: (await books(db))[0], restore: null }]],
              timestamp: 1,
            },
          ],
        }),
      }),
    );
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('FORBIDDEN');
    expect(await books(db)).toEqual([{ id: 'b1', owner: 'alice', title: 'Alice', pages: 0 }]);
    await client.close();
    await db.close();
  });

  it('the reference server runs __sssync_restore too', async () => {
    const server = makeReferenceServer();
    const { client } = makeReferenceClient(server);
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'One');
    await client.execute.addPages('b1', 4);
    await settled(client);
    expect(await client.undo()).toEqual({ undone: 1, skipped: [] });
    await settled(client);
    expect(server.rows('books')).toEqual([{ id: 'b1', owner: 'alice', title: 'One', pages: 0 }]);
    await client.close();
  });

  it('is not an executor and its name is reserved', () => {
    const { handler } = makeServer();
    const { client } = makeClient(handler);
    expect(Object.hasOwn(client.execute, RESTORE_MUTATOR)).toBe(false);
    expect(Object.hasOwn(mutators.defs, RESTORE_MUTATOR)).toBe(true);
    void client.close();
  });
});
