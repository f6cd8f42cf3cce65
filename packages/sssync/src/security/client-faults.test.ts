/**
 * Client-side faults that need no browser (issue 8 item 4), with real SSSync clients against the real
 * handler on SQLite through an in-process `fetch`: a store that fails a commit, data deleted under the
 * app, a server restored from a backup, and client clocks far off.
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SSSync } from '../client/sssync.js';
import { sqliteDatabase } from '../server/dialects/sqlite.js';
import { createSyncHandler, type SyncHandler } from '../server/index.js';
import { testModeMutators, testModeOptions, testModeSchema } from '../server/test-mode.js';
import { memoryStore } from '../store/memory-store.js';
import type { Store, StoreBatch } from '../store/store.js';
import { eventually } from '../test/sync-fixture.js';
import { faultyFetch } from '../testing/faulty-fetch.js';

interface Backend {
  sqlite: BetterSqlite3.Database;
  handler: SyncHandler;
}

function backend(sqlite = new BetterSqlite3(':memory:')): Backend {
  const handler = createSyncHandler({
    ...testModeOptions(),
    database: sqliteDatabase(sqlite),
    onError: () => {},
  });
  return { sqlite, handler };
}

/** The server's live items, by id. */
const serverItems = (b: Backend) =>
  b.sqlite.prepare('select id, owner, title, n from items where _sssync_deleted = 0 order by id').all();

/** A client of user A; `target.current` is the server it talks to (swap it to restore a backup). */
function client(target: { current: Backend }, store: Store = memoryStore()) {
  const fetch = faultyFetch(
    (input, init) => target.current.handler(new Request(input, init)),
    () => undefined,
  );
  const c = new SSSync('security-app', {
    schema: testModeSchema,
    mutators: testModeMutators,
    store,
    server: 'http://test/sync',
    fetch,
    headers: () => ({ authorization: 'Bearer user-a' }),
    backoff: { baseMs: 1, maxMs: 4 },
  });
  return { client: c, fetch };
}

const localItems = (c: SSSync<typeof testModeSchema>) =>
  c.query.items
    .orderBy('id')
    .run()
    .then((rows) => rows.map(({ id, title, n }) => ({ id, title, n })));

/** Waits until the client has nothing pending and holds exactly the server's rows of `/items`. */
async function converged(c: SSSync<typeof testModeSchema>, b: Backend): Promise<void> {
  await eventually(async () => {
    await c.sync().catch(() => {});
    expect(c.pendingCount).toBe(0);
    expect(await localItems(c)).toEqual(serverItems(b).map(({ id, title, n }: any) => ({ id, title, n })));
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('client faults', () => {
  it('a store commit that throws → STORE_WRITE_FAILED, nothing half-written, the outbox intact after reopening', async () => {
    const server = { current: backend() };
    const inner = memoryStore();
    let failNext = false;
    const commits: StoreBatch[] = [];
    const flaky: Store = {
      kind: 'flaky',
      open: (name) => inner.open(name),
      load: () => inner.load(),
      close: () => inner.close(),
      commit: (batch) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('SQLITE_IOERR: disk I/O error'));
        }
        commits.push(batch);
        return inner.commit(batch);
      },
    };
    const a = client(server, flaky);
    a.fetch.online = false;
    await a.client.ready;
    await a.client.execute.putItem('i1', 'One', 1);
    failNext = true;
    const failed = a.client.execute.putItem('i2', 'Two', 2);
    await expect(failed).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect(failNext).toBe(false);
    // Memory shows nothing of the failed mutation; the client keeps working.
    expect(await localItems(a.client)).toEqual([{ id: 'i1', title: 'One', n: 1 }]);
    expect(a.client.pendingCount).toBe(1);
    await a.client.execute.incrementItem('i1', 5);
    await a.client.close();

    // Reopened on the same data: the two mutations that succeeded, in order, renumbered gaplessly.
    const snapshot = await (async () => {
      await inner.open('security-app');
      const s = await inner.load();
      await inner.close();
      return s;
    })();
    expect(snapshot.outbox.map((e) => [e.id, e.name, e.args])).toEqual([
      [1, 'putItem', ['i1', 'One', 1]],
      [2, 'incrementItem', ['i1', 5]],
    ]);
    const b = client(server, inner);
    await b.client.ready;
    expect(b.client.pendingCount).toBe(2);
    expect(await localItems(b.client)).toEqual([{ id: 'i1', title: 'One', n: 6 }]);
    b.client.persist('/items');
    await converged(b.client, server.current);
    expect(serverItems(server.current)).toEqual([{ id: 'i1', owner: 'user-a', title: 'One', n: 6 }]);
    await b.client.close();
  });

  it('data deleted under the app (a fresh, empty store) → the client re-bootstraps from the server', async () => {
    const server = { current: backend() };
    const a = client(server);
    await a.client.ready;
    a.client.persist('/items');
    await a.client.execute.putItem('i1', 'One', 1);
    await a.client.execute.putItem('i2', 'Two', 2);
    await converged(a.client, server.current);
    const oldGroupClient = a.client.clientID;
    await a.client.close();

    // The browser evicted the data: same app, same server, an empty store.
    const b = client(server, memoryStore());
    await b.client.ready;
    expect(b.client.clientID).not.toBe(oldGroupClient);
    expect(await localItems(b.client)).toEqual([]);
    const items = b.client.persist('/items');
    await items.ready;
    expect(await localItems(b.client)).toEqual([
      { id: 'i1', title: 'One', n: 1 },
      { id: 'i2', title: 'Two', n: 2 },
    ]);
    // And it writes on from there under its new ids.
    await b.client.execute.incrementItem('i1', 10);
    await converged(b.client, server.current);
    expect(serverItems(server.current)[0]).toMatchObject({ id: 'i1', n: 11 });
    await b.client.close();
  });

  /**
   * The client syncs i1 (the backup is taken here, at version 1), then i1 += 10 and i2 (versions 2–3,
   * lost with the restore); offline it queues i1 += 100 and i3; the server is restored; it comes back.
   */
  async function restoredServer() {
    const server = { current: backend() };
    const a = client(server);
    await a.client.ready;
    const resource = a.client.persist('/items');
    await a.client.execute.putItem('i1', 'One', 1);
    await converged(a.client, server.current);
    const backup = server.current.sqlite.serialize();
    await a.client.execute.incrementItem('i1', 10);
    await a.client.execute.putItem('i2', 'Lost with the restore', 2);
    await converged(a.client, server.current);
    const firstID = a.client.clientID;
    a.fetch.online = false;
    await a.client.execute.incrementItem('i1', 100);
    await a.client.execute.putItem('i3', 'Pending', 3);
    const restored = backend(new BetterSqlite3(backup));
    const gaps: unknown[] = [];
    server.current = {
      sqlite: restored.sqlite,
      handler: Object.assign(async (request: Request) => {
        const response = await restored.handler(request);
        if (response.status === 409) gaps.push(await response.clone().json());
        return response;
      }, restored.handler),
    };
    a.fetch.online = true;
    return { a, server, firstID, gaps, resource };
  }

  it('a server restored from a backup → MUTATION_ID_GAP, a new client id, every pending write applied once', async () => {
    const { a, server, firstID, gaps } = await restoredServer();
    await eventually(async () => {
      await a.client.sync().catch(() => {});
      expect(a.client.pendingCount).toBe(0);
    });
    expect(gaps).toEqual([
      {
        error: expect.objectContaining({
          code: 'MUTATION_ID_GAP',
          field: 'mutations[0].id',
          lastMutationID: 1,
        }),
      },
    ]);
    expect(a.client.clientID).not.toBe(firstID);
    // Both pending writes reached the restored server once; what the backup lost stays lost.
    expect(serverItems(server.current)).toEqual([
      { id: 'i1', owner: 'user-a', title: 'One', n: 101 },
      { id: 'i3', owner: 'user-a', title: 'Pending', n: 3 },
    ]);
    await a.client.close();
  });

  // After the restore the server hands out versions 2–3 again, for other writes. A cursor of the lost
  // timeline (complete at version 3) taken as valid would skip those writes, so a restore rotates the
  // server's epoch (PROTOCOL.md §6.5 point 5) and such cursors get a full load. This once failed.
  it('after a restore from a backup the client converges to the restored server', async () => {
    const { a, server } = await restoredServer();
    await converged(a.client, server.current);
    await a.client.close();
  });

  it("a server that forgot only the client's lastMutationID → the client goes on under a new id", async () => {
    const server = { current: backend() };
    const a = client(server);
    await a.client.ready;
    a.client.persist('/items');
    await a.client.execute.putItem('i1', 'One', 1);
    await converged(a.client, server.current);
    const firstID = a.client.clientID;
    server.current.sqlite.prepare('delete from sssync_clients where client_id = ?').run(firstID);
    await a.client.execute.incrementItem('i1', 1);
    await a.client.execute.incrementItem('i1', 2);
    await converged(a.client, server.current);
    expect(a.client.clientID).not.toBe(firstID);
    expect(serverItems(server.current)).toEqual([{ id: 'i1', owner: 'user-a', title: 'One', n: 4 }]);
    await a.client.close();
  });

  /**
   * Runs one offline session of four mutations, then syncs. `clock.during` fakes the clock while the
   * mutations are created (then it jumps back to the real time); `clock.always` fakes it for the whole
   * run — for the server too, which shares the process (the server's own handling of far-off
   * timestamps is in identity.test.ts).
   */
  async function session(clock: { during?: number; always?: number } = {}) {
    if (clock.always !== undefined)
      vi.useFakeTimers({ toFake: ['Date'], now: clock.always, shouldAdvanceTime: true });
    const server = { current: backend() };
    const a = client(server);
    await a.client.ready;
    a.client.persist('/items');
    a.fetch.online = false;
    if (clock.during !== undefined)
      vi.useFakeTimers({ toFake: ['Date'], now: clock.during, shouldAdvanceTime: true });
    await a.client.execute.putItem('i1', 'One', 1);
    await a.client.execute.incrementItem('i1', 2);
    await a.client.execute.putItem('i0', 'Zero', 0);
    await a.client.execute.deleteItem('i0');
    const stamps = (await a.client.export()).pendingMutations.map((m) => m.timestamp);
    if (clock.during !== undefined) vi.useRealTimers();
    a.fetch.online = true;
    try {
      await converged(a.client, server.current);
      return { server: serverItems(server.current), local: await localItems(a.client), stamps };
    } finally {
      await a.client.close();
    }
  }
  const expected = [{ id: 'i1', owner: 'user-a', title: 'One', n: 3 }];

  it.each([
    ['in 1970', 0],
    ['in the year 2200', Date.UTC(2200, 0, 1)],
  ])('a client clock %s for the whole session changes nothing', async (_when, time) => {
    const skewed = await session({ always: time });
    expect(skewed.stamps.every((t) => t >= time && t < time + 3_600_000)).toBe(true);
    expect(skewed.server).toEqual(expected);
    expect(skewed.local).toEqual((await session()).local);
  });

  it('a client clock that jumps forward (1970 → now) with mutations queued changes nothing', async () => {
    const skewed = await session({ during: 0 });
    expect(skewed.stamps).toEqual([0, 0, 0, 0]);
    expect(skewed.server).toEqual(expected);
  });

  // Bug (client, sync/sync-engine.ts): retryAt and dueAt are wall-clock times (Date.now()). A push that
  // fails while the clock reads 2200 sets retryAt in 2200; once the clock is corrected, loop() returns
  // at once (`Date.now() < this.retryAt`), flush() throws "backing off", and schedule() arms a timer
  // for ~175 years, which overflows setTimeout and fires every 1 ms: no sync until 2200, and a busy loop.
  it('a client clock that jumps back (2200 → now) with mutations queued: sync resumes', async () => {
    const skewed = await session({ during: Date.UTC(2200, 0, 1) });
    expect(skewed.server).toEqual(expected);
  });
});
