import { describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../store/memory-store.js';
import { eventually, makeClient, makeServer } from '../test/sync-fixture.js';

describe('sync against the reference server', () => {
  it('pushes mutations, pulls a persisted resource and drops what the server applied', async () => {
    const server = makeServer();
    const { client } = makeClient(server);
    await client.ready;
    const books = client.persist('/user/books');
    await client.execute.addBook('b1', 'Dune');
    const m = client.execute.setPages('b1', 412);
    await m;
    await m.confirmed;
    await client.sync();
    expect(server.rows('books')).toEqual([{ id: 'b1', owner: 'alice', title: 'Dune', pages: 412 }]);
    await books.ready;
    expect(client.pendingCount).toBe(0);
    expect(m.status).toBe('confirmed');
    expect(await client.query.books.run()).toEqual(server.rows('books'));
    expect(client.status).toMatchObject({ online: true, pending: 0, lastError: null });
  });

  it('offline writes survive a restart and reach the server exactly once', async () => {
    const server = makeServer();
    const store = memoryStore();
    const a = makeClient(server, { store });
    a.fetch.online = false;
    await a.client.ready;
    await a.client.execute.addBook('b1', 'Offline');
    await a.client.execute.addPages('b1', 10);
    await a.client.execute.addPages('b1', 5);
    await eventually(() => expect(a.client.status.online).toBe(false));
    expect(server.rows('books')).toEqual([]);
    await a.client.close();

    const b = makeClient(server, { store });
    await b.client.ready;
    expect(b.client.pendingCount).toBe(3);
    b.client.persist('/user/books');
    await b.client.sync();
    expect(server.rows('books')).toEqual([{ id: 'b1', owner: 'alice', title: 'Offline', pages: 15 }]);
    expect([...server.applied.values()].every((n) => n === 1)).toBe(true);
    expect(server.applied.size).toBe(3);
    expect(b.client.pendingCount).toBe(0);
  });

  it('a rejected mutation rolls back, rejects `confirmed`, fires onMutationError, and does not block the queue', async () => {
    const server = makeServer();
    const onMutationError = vi.fn();
    const { client } = makeClient(server, { onMutationError });
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'Good');
    const bad = client.execute.renameBook('b1', '!bad');
    await bad;
    const after = client.execute.setPages('b1', 7);
    expect((await client.query.books.one().run())?.title).toBe('!bad');
    await expect(bad.confirmed).rejects.toMatchObject({
      code: 'SERVER_REJECTED',
      details: { serverCode: 'MUTATOR_FAILED' },
    });
    await after.confirmed;
    await client.sync();
    expect(await client.query.books.run()).toEqual([{ id: 'b1', owner: 'alice', title: 'Good', pages: 7 }]);
    expect(server.rows('books')).toEqual([{ id: 'b1', owner: 'alice', title: 'Good', pages: 7 }]);
    expect(onMutationError).toHaveBeenCalledTimes(1);
    expect(onMutationError.mock.calls[0]![1]).toMatchObject({ name: 'renameBook', args: ['b1', '!bad'] });
    expect(bad.status).toBe('rejected');
  });

  it('a server taking fewer mutations per push than a batch gets that many from then on, after one 413', async () => {
    const server = makeServer(1000, { maxMutationsPerPush: 3 });
    // Requests wait until the 10 mutations are queued, so a push holds more than the server takes.
    let goOnline = () => {};
    const online = new Promise<void>((resolve) => {
      goOnline = resolve;
    });
    const pushes: [mutations: number, status: number][] = [];
    const { client } = makeClient(server, {
      fetch: async (url, init) => {
        await online;
        const response = await server.fetch(url, init);
        if (url.endsWith('/push'))
          pushes.push([JSON.parse(String(init.body)).mutations.length, response.status]);
        return response;
      },
    });
    await client.ready;
    for (let i = 0; i < 10; i++) await client.execute.addBook(`b${i}`, `Book ${i}`);
    goOnline();
    while (client.pendingCount > 0) await client.sync();
    const refused = pushes.findIndex(([, status]) => status === 413);
    expect(refused).toBeGreaterThanOrEqual(0);
    const after = pushes.slice(refused + 1);
    expect(after.every(([, status]) => status === 200)).toBe(true);
    expect(after.slice(0, -1).map(([n]) => n)).toEqual(after.slice(0, -1).map(() => 3));
    expect(after.at(-1)![0]).toBeLessThanOrEqual(3);
    expect(server.rows('books')).toHaveLength(10);
  });

  it('a response lost after the server committed does not apply anything twice', async () => {
    const server = makeServer();
    const { client, fetch } = makeClient(server, {
      faults: (url, n) => (url.endsWith('/push') && n < 3 ? 'drop-response' : undefined),
    });
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'Once');
    await client.execute.addPages('b1', 1);
    await client.sync().catch(() => {});
    await eventually(async () => {
      await client.sync();
      expect(client.pendingCount).toBe(0);
    });
    expect(fetch.log.filter((l) => l.fault === 'drop-response').length).toBeGreaterThan(0);
    expect(server.rows('books')).toEqual([{ id: 'b1', owner: 'alice', title: 'Once', pages: 1 }]);
    expect([...server.applied.values()]).toEqual([1, 1]);
  });

  it.each(['duplicate', 'replay-later', 'server-error', 'rate-limit', 'malformed', 'drop-request'] as const)(
    'converges through %s faults',
    async (fault) => {
      const server = makeServer();
      let n = 0;
      const { client } = makeClient(server, { faults: () => (n++ % 2 === 0 ? fault : undefined) });
      await client.ready;
      client.persist('/user/books');
      for (let i = 0; i < 5; i++) await client.execute.addBook(`b${i}`, `T${i}`);
      await client.execute.addPages('b0', 3);
      await eventually(async () => {
        await client.sync().catch(() => {});
        expect(client.pendingCount).toBe(0);
        expect(await client.query.books.orderBy('id').run()).toEqual(
          server.rows('books').sort((a, b) => String(a.id).localeCompare(String(b.id))),
        );
      });
      expect([...server.applied.values()].every((x) => x === 1)).toBe(true);
      expect(server.rows('books').find((b) => b.id === 'b0')?.pages).toBe(3);
    },
  );

  it('rebase: server changes land under pending mutations in one notification', async () => {
    const server = makeServer();
    const { client, fetch } = makeClient(server);
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'Mine');
    await client.sync();
    // Someone else changes the book on the server while we are offline and add pages locally.
    server.write('books', { id: 'b1', owner: 'alice', title: 'Renamed elsewhere', pages: 100 });
    fetch.online = false;
    await client.execute.addPages('b1', 5);
    const seen: unknown[] = [];
    client.query.books.subscribe((rows) => seen.push(rows.map((r) => `${r.title}:${r.pages}`)));
    expect(seen).toEqual([['Mine:5']]);
    fetch.online = true;
    await eventually(async () => {
      await client.sync();
      expect(client.pendingCount).toBe(0);
    });
    // The server applied addPages on top of its own change: 105. Locally we never showed "100"
    // (server state without our pending mutation) or anything in between.
    expect(server.rows('books')[0]).toMatchObject({ title: 'Renamed elsewhere', pages: 105 });
    expect(seen).toEqual([['Mine:5'], ['Renamed elsewhere:105']]);
  });

  it('rows deleted on the server or leaving the scope are removed; a row in two resources stays', async () => {
    const server = makeServer();
    const { client } = makeClient(server);
    await client.ready;
    server.write('books', { id: 'b1', owner: 'alice', title: 'A', pages: 1 });
    server.write('books', { id: 'b2', owner: 'alice', title: 'B', pages: 2 });
    server.write('books', { id: 'b3', owner: 'alice', title: 'C', pages: 3 });
    const mine = client.persist('/user/books');
    const one = client.persist('/books/:id', { params: { id: 'b3' } });
    await mine.ready;
    await one.ready;
    expect((await client.query.books.run()).length).toBe(3);
    server.write('books', null, 'b1');
    server.write('books', { id: 'b2', owner: 'bob', title: 'B', pages: 2 });
    server.write('books', { id: 'b3', owner: 'bob', title: 'C', pages: 3 });
    await mine.refresh();
    // b1 deleted, b2 left alice's scope; b3 left /user/books but /books/b3 still holds it.
    expect((await client.query.books.run()).map((b) => [b.id, b.owner])).toEqual([['b3', 'bob']]);
  });

  it('sync() pulls held resources now, even when they are not due', async () => {
    const server = makeServer();
    const { client } = makeClient(server, { pullIntervalSeconds: 3600 });
    await client.ready;
    await client.persist('/user/books').ready;
    server.write('books', { id: 'late', owner: 'alice', title: 'Late', pages: 1 });
    await client.sync();
    expect((await client.query.books.run()).map((b) => b.id)).toEqual(['late']);
  });

  it('a full load is paged with `more` and the resource is ready only at the end', async () => {
    const server = makeServer(3);
    for (let i = 0; i < 10; i++)
      server.write('books', { id: `b${i}`, owner: 'alice', title: `T${i}`, pages: i });
    const { client, fetch } = makeClient(server);
    await client.ready;
    const r = client.persist('/user/books');
    await r.ready;
    expect((await client.query.books.run()).length).toBe(10);
    expect(fetch.log.filter((l) => l.url.endsWith('/pull')).length).toBeGreaterThanOrEqual(4);
  });

  it('a persisted resource keeps its cursor and rows across restarts (usable offline at once)', async () => {
    const server = makeServer();
    server.write('books', { id: 'b1', owner: 'alice', title: 'Kept', pages: 1 });
    const store = memoryStore();
    const a = makeClient(server, { store });
    await a.client.ready;
    await a.client.persist('/user/books').ready;
    await a.client.close();
    const b = makeClient(server, { store });
    b.fetch.online = false;
    await b.client.ready;
    const r = b.client.persist('/user/books');
    await r.ready;
    expect(r.status).toBe('ready');
    expect(await b.client.query.books.run()).toHaveLength(1);
    b.fetch.online = true;
    server.write('books', { id: 'b2', owner: 'alice', title: 'New', pages: 2 });
    await r.refresh();
    const lastPull = b.fetch.log.filter((l) => l.url.endsWith('/pull')).length;
    expect(lastPull).toBeGreaterThan(0);
    expect(await b.client.query.books.run()).toHaveLength(2);
  });

  it('temporary resources stay out of the store, share one fetch, poll while held, stop after release', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    try {
      const server = makeServer();
      server.write('shelves', { id: 's1', name: 'Fiction' });
      const store = memoryStore();
      const { client, fetch } = makeClient(server, { store, temporaryTTLSeconds: 5 });
      await client.ready;
      const a = client.temporary('/shelves', { refreshSeconds: 3 });
      const b = client.temporary('/shelves', { refreshSeconds: 3 });
      await vi.advanceTimersByTimeAsync(10);
      await a.ready;
      expect(await client.query.shelves.run()).toHaveLength(1);
      const pulls = () => fetch.log.filter((l) => l.url.endsWith('/pull')).length;
      expect(pulls()).toBe(1);
      server.write('shelves', { id: 's2', name: 'Poetry' });
      await vi.advanceTimersByTimeAsync(3100);
      expect(pulls()).toBe(2);
      expect(await client.query.shelves.run()).toHaveLength(2);
      const snap = await store.load();
      expect([...snap.pages.values()].some((p) => p.table === 'shelves')).toBe(false);
      a.release();
      b.release();
      await vi.advanceTimersByTimeAsync(3100);
      expect(pulls()).toBe(2);
      expect(await client.query.shelves.run()).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(5000);
      expect(await client.query.shelves.run()).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(30_000);
      expect(pulls()).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a version mismatch stops sync, keeps the outbox and calls onUpdateNeeded', async () => {
    const server = makeServer();
    const onUpdateNeeded = vi.fn();
    const { client } = makeClient(server, {
      onUpdateNeeded,
      fetch: async () =>
        new Response(
          JSON.stringify({
            error: {
              code: 'VERSION_MISMATCH',
              message: 'upgrade',
              supportedProtocolVersions: [1],
              minSchemaVersion: 2,
              maxSchemaVersion: 2,
            },
          }),
          { status: 409 },
        ),
    });
    await client.ready;
    await client.execute.addBook('b1', 'Kept');
    await eventually(() => expect(onUpdateNeeded).toHaveBeenCalledTimes(1));
    expect(client.status.updateNeeded).toBe(true);
    expect(client.pendingCount).toBe(1);
    expect(onUpdateNeeded.mock.calls[0]![0]).toMatchObject({ code: 'VERSION_MISMATCH' });
  });

  it('a loader function maps any REST endpoint into rows', async () => {
    const server = makeServer();
    const { client } = makeClient(server, {
      loaders: {
        '/user/books': {},
        '/legacy/shelves': async () => ({ shelves: [{ id: 'x', name: 'From REST' }] }),
      },
    });
    await client.ready;
    const r = client.temporary('/legacy/shelves');
    await r.ready;
    expect(await client.query.shelves.run()).toEqual([{ id: 'x', name: 'From REST' }]);
    expect(() => client.persist('/not/declared')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_RESOURCE' }),
    );
  });

  it('a server that sends rows breaking the schema changes nothing and reports PROTOCOL', async () => {
    const server = makeServer();
    const { client } = makeClient(server, {
      fetch: async (input, init) => {
        if (!input.endsWith('/pull')) return server.fetch(input, init);
        const req = JSON.parse(String(init.body));
        return new Response(
          JSON.stringify({
            protocolVersion: 1,
            resources: [
              {
                path: '/user/books',
                cursor: '9',
                more: false,
                patch: [{ op: 'clear' }, { op: 'put', table: 'books', row: { id: 'x', title: 5 } }],
              },
            ],
            lastMutationIDs: { [req.clientID]: 0 },
          }),
        );
      },
    });
    await client.ready;
    const r = client.persist('/user/books');
    await eventually(() => expect(client.status.lastError?.code).toBe('PROTOCOL'));
    expect(r.status).toBe('error');
    expect(await client.query.books.run()).toEqual([]);
  });
});
