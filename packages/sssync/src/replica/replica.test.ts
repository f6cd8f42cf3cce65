import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory-store.js';
import type { Store, StoreBatch } from '../store/store.js';
import { mutators, schema } from '../test/sync-fixture.js';
import { SSSyncError } from '../util/errors.js';
import { META } from './meta.js';
import { Replica } from './replica.js';

const open = (store: Store = memoryStore()) => Replica.open(store, 'r', schema, mutators.defs);
const book = (id: string, pages = 0, title = id) => ({ id, owner: 'alice', title, pages });

describe('Replica: rebase', () => {
  it('replays a pending mutation once on top of new server state (undo before apply)', async () => {
    const r = await open();
    await r.applyServer({
      resources: [{ path: '/b', temporary: false, patch: [{ op: 'put', table: 'books', row: book('b1') }] }],
    });
    await r.mutate('addPages', ['b1', 5]);
    expect(r.db.table('books').get('b1')?.pages).toBe(5);
    // The server's patch doesn't touch b1; our pending +5 must not become +10.
    await r.applyServer({
      resources: [{ path: '/b', temporary: false, patch: [{ op: 'put', table: 'books', row: book('b2') }] }],
    });
    expect(r.db.table('books').get('b1')?.pages).toBe(5);
    // The server changed b1 under us: the pending +5 lands on the server's value.
    await r.applyServer({
      resources: [
        { path: '/b', temporary: false, patch: [{ op: 'put', table: 'books', row: book('b1', 100) }] },
      ],
    });
    expect(r.db.table('books').get('b1')?.pages).toBe(105);
    // The server applied it: dropped from the outbox, the server's row is the truth.
    await r.applyServer({
      resources: [
        { path: '/b', temporary: false, patch: [{ op: 'put', table: 'books', row: book('b1', 105) }] },
      ],
      lastMutationID: 1,
    });
    expect(r.outbox).toEqual([]);
    expect(r.db.table('books').get('b1')?.pages).toBe(105);
  });

  it('notifies once per update, with the final state only', async () => {
    const r = await open();
    await r.mutate('addBook', ['b1', 'Mine']);
    const seen: string[][] = [];
    r.live.subscribe(
      {
        table: 'books',
        where: undefined,
        orderBy: [['id', 'asc']],
        limit: undefined,
        start: undefined,
        related: [],
        single: false,
      },
      (rows) => seen.push(rows.map((x) => `${x.id}:${x.pages}`)),
    );
    await r.applyServer({
      resources: [
        {
          path: '/b',
          temporary: false,
          patch: [
            { op: 'put', table: 'books', row: book('b0', 1) },
            { op: 'put', table: 'books', row: book('b2', 2) },
          ],
        },
      ],
    });
    expect(seen).toEqual([['b1:0'], ['b0:1', 'b1:0', 'b2:2']]);
    // An update that changes nothing visible notifies nobody.
    await r.applyServer({ resources: [{ path: '/b', temporary: false, patch: [] }] });
    expect(seen).toHaveLength(2);
  });

  it('a rejected (dropped) mutation disappears and later ones are replayed without it', async () => {
    const r = await open();
    await r.mutate('addBook', ['b1', 'One']);
    await r.mutate('addPages', ['b1', 3]);
    await r.mutate('addBook', ['b2', 'Two']);
    const result = await r.applyServer({ drop: new Set([1]) });
    expect(result.dropped.map((e) => e.id)).toEqual([1]);
    // addPages on a missing book does nothing; b2 stays.
    expect([...r.db.table('books').rows.keys()]).toEqual(['b2']);
    expect(r.outbox.map((e) => e.id)).toEqual([2, 3]);
  });

  it('a failed store commit puts memory back and keeps the outbox', async () => {
    const inner = memoryStore();
    let fail = false;
    const store: Store = {
      kind: 'flaky',
      open: (n) => inner.open(n),
      load: () => inner.load(),
      close: () => inner.close(),
      commit: (b: StoreBatch) => (fail ? Promise.reject(new Error('disk full')) : inner.commit(b)),
    };
    const r = await open(store);
    await r.mutate('addBook', ['b1', 'One']);
    const seen: string[][] = [];
    r.live.subscribe(
      {
        table: 'books',
        where: undefined,
        orderBy: [['id', 'asc']],
        limit: undefined,
        start: undefined,
        related: [],
        single: false,
      },
      (rows) => seen.push(rows.map((x) => x.id as string)),
    );
    fail = true;
    await expect(r.mutate('addBook', ['b2', 'Two'])).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    // Subscribers saw the write at once, then saw it taken back when the store refused it.
    expect(seen).toEqual([['b1'], ['b1', 'b2'], ['b1']]);
    await expect(
      r.applyServer({
        resources: [
          {
            path: '/b',
            temporary: false,
            patch: [{ op: 'clear' }, { op: 'put', table: 'books', row: book('b9') }],
          },
        ],
        lastMutationID: 1,
      }),
    ).rejects.toBeInstanceOf(SSSyncError);
    expect([...r.db.table('books').rows.keys()]).toEqual(['b1']);
    expect(r.outbox.map((e) => e.id)).toEqual([1]);
    fail = false;
    await r.close();
    const again = await open(inner);
    expect([...again.db.table('books').rows.keys()]).toEqual(['b1']);
    expect(again.outbox.map((e) => e.id)).toEqual([1]);
  });

  it('a server row that breaks the schema is refused before anything changes', async () => {
    const r = await open();
    await r.mutate('addBook', ['b1', 'One']);
    await expect(
      r.applyServer({
        resources: [
          {
            path: '/b',
            temporary: false,
            patch: [
              { op: 'put', table: 'books', row: book('b2') },
              { op: 'put', table: 'books', row: { id: 'x' } },
            ],
          },
        ],
      }),
    ).rejects.toMatchObject({ code: 'PROTOCOL' });
    expect([...r.db.table('books').rows.keys()]).toEqual(['b1']);
  });

  it('renumbers the queue under a new client id (the server lost our history)', async () => {
    const store = memoryStore();
    const r = await open(store);
    await r.mutate('addBook', ['b1', 'One']);
    await r.mutate('addBook', ['b2', 'Two']);
    await r.applyServer({ lastMutationID: 1 });
    const old = r.clientID;
    const result = await r.applyServer({ newClientID: 'fresh' });
    expect(r.clientID).toBe('fresh');
    expect(r.clientID).not.toBe(old);
    expect(r.outbox.map((e) => [e.id, e.name])).toEqual([[1, 'addBook']]);
    expect([...result.renumbered]).toEqual([[2, 1]]);
    expect(r.meta.get(META.nextMutationID)).toBe(2);
    await r.close();
    const again = await open(store);
    expect(again.clientID).toBe('fresh');
    expect(again.outbox.map((e) => e.id)).toEqual([1]);
  });

  it('drops a never-sent poison mutation and closes the gap behind it', async () => {
    const r = await open();
    for (const id of ['a', 'b', 'c']) await r.mutate('addBook', [id, id]);
    await r.applyServer({ drop: new Set([2]), closeGaps: true });
    expect(r.outbox.map((e) => [e.id, e.args[0]])).toEqual([
      [1, 'a'],
      [2, 'c'],
    ]);
    expect(r.meta.get(META.nextMutationID)).toBe(3);
    expect([...r.db.table('books').rows.keys()].sort()).toEqual(['a', 'c']);
  });

  it('a read never sees a rebase half-done, even one queued just before it', async () => {
    const r = await open();
    const put = {
      resources: [
        { path: '/b', temporary: false, patch: [{ op: 'put' as const, table: 'books', row: book('b1') }] },
      ],
    };
    await r.applyServer(put);
    await r.mutate('addPages', ['b1', 5]);
    // The rebase starts on the next turn: it undoes +5, then replays it across an await.
    const applying = r.applyServer(put);
    expect(await r.read(() => r.db.table('books').get('b1')?.pages)).toBe(5);
    await applying;
    expect(await r.read(() => r.db.table('books').get('b1')?.pages)).toBe(5);
  });

  it('temporary-only rows are never written to the store; released ones leave memory', async () => {
    const store = memoryStore();
    const r = await open(store);
    await r.applyServer({
      resources: [{ path: '/t', temporary: true, patch: [{ op: 'put', table: 'books', row: book('t1') }] }],
    });
    await r.applyServer({
      resources: [{ path: '/p', temporary: false, patch: [{ op: 'put', table: 'books', row: book('p1') }] }],
    });
    const stored = [...(await store.load()).pages.values()]
      .filter((p) => p.table === 'books')
      .flatMap((p) => p.rows.map((x) => x.id));
    expect(stored).toEqual(['p1']);
    expect(r.db.table('books').get('t1')).toBeDefined();
    await r.applyServer({ released: [{ path: '/t', temporary: true }] });
    expect(r.db.table('books').get('t1')).toBeUndefined();
    expect(r.db.table('books').get('p1')).toBeDefined();
  });
});
