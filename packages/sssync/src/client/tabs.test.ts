import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory-store.js';
import { eventually, makeClient, makeServer } from '../test/sync-fixture.js';

describe('tabs: several instances on one store', () => {
  it("one leader pushes; every instance sees the others' writes; a follower takes over when the leader closes", async () => {
    const server = makeServer();
    const store = memoryStore();
    const a = makeClient(server, { store });
    await a.client.ready;
    // Rows stay on the client while a resource holds them (or a pending mutation makes them).
    a.client.persist('/user/books');
    const b = makeClient(server, { store });
    await b.client.ready;
    b.client.persist('/user/books');
    expect(a.client.isLeader).toBe(true);
    expect(b.client.isLeader).toBe(false);

    const seenByA: string[][] = [];
    a.client.query.books.orderBy('id').subscribe((rows) => seenByA.push(rows.map((r) => r.id)));
    const fromB = b.client.execute.addBook('b1', 'From B');
    await fromB;
    // B's write is in B at once (applied by the leader, mirrored back) and in A.
    expect((await b.client.query.books.run()).map((r) => r.id)).toEqual(['b1']);
    await eventually(() => expect(seenByA.at(-1)).toEqual(['b1']));
    await a.client.execute.addBook('a1', 'From A');
    await eventually(async () =>
      expect((await b.client.query.books.run()).map((r) => r.id)).toEqual(['a1', 'b1']),
    );
    await fromB.confirmed;
    await a.client.sync();
    // Only the leader talked to the server.
    expect(b.fetch.log.map((l) => l.url)).toEqual([]);
    expect(
      server
        .rows('books')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['a1', 'b1']);

    // B queues while A leads, then A goes away: B takes over and nothing is lost or pushed twice.
    a.fetch.online = false;
    await b.client.execute.addBook('b2', 'Queued');
    await a.client.close();
    await eventually(() => expect(b.client.isLeader).toBe(true));
    await b.client.sync();
    expect(
      server
        .rows('books')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['a1', 'b1', 'b2']);
    expect([...server.applied.values()].every((n) => n === 1)).toBe(true);
    expect(b.fetch.log.length).toBeGreaterThan(0);
    expect(b.client.pendingCount).toBe(0);
  });

  it("a follower's resource is held by the leader on its behalf", async () => {
    const server = makeServer();
    server.write('books', { id: 'x', owner: 'alice', title: 'Server', pages: 1 });
    const store = memoryStore();
    const a = makeClient(server, { store });
    await a.client.ready;
    const b = makeClient(server, { store });
    await b.client.ready;
    const r = b.client.persist('/user/books');
    await r.ready;
    expect(r.status).toBe('ready');
    expect(await b.client.query.books.run()).toHaveLength(1);
    expect(b.fetch.log).toHaveLength(0);
    await a.client.close();
    await b.client.close();
  });

  it("a failing mutation forwarded by a follower rejects there with the leader's error", async () => {
    const server = makeServer();
    const store = memoryStore();
    const a = makeClient(server, { store });
    await a.client.ready;
    const b = makeClient(server, { store });
    await b.client.ready;
    b.client.persist('/user/books');
    await b.client.execute.addBook('b1', 'One');
    await expect(b.client.execute.addBook('b1', 'Again')).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
    await a.client.sync();
    expect(server.rows('books')).toEqual([{ id: 'b1', owner: 'alice', title: 'One', pages: 0 }]);
    expect((await b.client.query.books.run()).map((r) => r.title)).toEqual(['One']);
  });
});
