/**
 * Real SSSync clients against a deployment of `createSyncHandler` serving `flowAppOptions()`: the sync
 * tests' scenarios (offline writes, rejections, lost responses, rows leaving scope), run through the
 * deployment's own `fetch` (in-process, or a Worker in workerd).
 */
import { describe, expect, it, vi } from 'vitest';
import { SSSync } from '../client/sssync.js';
import { memoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { eventually, mutators, schema } from '../test/sync-fixture.js';
import { type Fault, faultyFetch } from '../testing/faulty-fetch.js';
import type { SyncDatabase } from './database.js';
import { databaseRowsOf } from './test-app.js';

/** A fresh deployment with an empty, prepared database. */
export interface FlowServer {
  /** Serves one request the way the deployment's runtime would. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** The deployment's database, read directly to check what was stored. */
  readonly db: SyncDatabase;
  close(): Promise<void>;
}

function makeClient(
  handler: (request: Request) => Promise<Response>,
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

export function clientFlowTests(name: string, makeServer: () => Promise<FlowServer>): void {
  describe(`SSSync clients against createSyncHandler (${name})`, () => {
    it('offline writes survive a restart and reach the server exactly once', async () => {
      const { db, fetch: handler, close } = await makeServer();
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
      await close();
    });

    it('a rejected mutation rolls back and does not block the ones after it', async () => {
      const { db, fetch: handler, close } = await makeServer();
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
      await close();
    });

    it('a response lost after the server committed does not apply anything twice', async () => {
      const { db, fetch: handler, close } = await makeServer();
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
      await close();
    });

    it('rows deleted on the server or leaving the scope are removed from the client', async () => {
      const { fetch: handler, close } = await makeServer();
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
      await close();
    });
  });
}
