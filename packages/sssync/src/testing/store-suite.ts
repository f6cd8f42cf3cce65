import { afterEach, describe, expect, it } from 'vitest';
import type { RowRecord } from '../schema/validate-row.js';
import type { Store, StoreBatch, StoredPage, StoreSnapshot } from '../store/store.js';
import { awkwardRow, entry, expectRejects, page, rowsFor } from './store-fixtures.js';

export interface StoreSuiteOptions {
  /**
   * A fresh `Store` over the same underlying database as `s` (already closed), to show that data
   * reaches it; without it the suite reopens `s` itself.
   */
  readonly reopen?: (s: Store) => Store | Promise<Store>;
}

const DB_NAME = 'store-suite';

/**
 * The conformance suite every `Store` passes. `newStore` returns an unopened store over an empty
 * database that no other call shares.
 */
export function runStoreSuite(
  name: string,
  newStore: () => Store | Promise<Store>,
  opts: StoreSuiteOptions = {},
): void {
  describe(`store conformance: ${name}`, () => {
    const used: Store[] = [];
    afterEach(async () => {
      for (const s of used.splice(0)) await s.close();
    });

    async function opened(): Promise<Store> {
      const s = await newStore();
      used.push(s);
      await s.open(DB_NAME);
      return s;
    }

    async function reopened(s: Store): Promise<Store> {
      await s.close();
      const next = opts.reopen ? await opts.reopen(s) : s;
      used.push(next);
      await next.open(DB_NAME);
      return next;
    }

    async function committed(batches: readonly StoreBatch[]): Promise<Store> {
      const s = await opened();
      for (const batch of batches) await s.commit(batch);
      return s;
    }

    const pagesOf = (snap: StoreSnapshot) => Object.fromEntries(snap.pages);
    const metaOf = (snap: StoreSnapshot) => Object.fromEntries(snap.meta);
    const outboxIds = (snap: StoreSnapshot) => snap.outbox.map((e) => e.id);

    it('loads nothing from a new database', async () => {
      const snap = await (await opened()).load();
      expect(snap.pages.size).toBe(0);
      expect(snap.outbox).toEqual([]);
      expect(snap.meta.size).toBe(0);
    });

    it('puts pages, and a put replaces the whole page', async () => {
      const s = await committed([
        {
          putPages: new Map([
            ['books/0', page('books', rowsFor(0, 3))],
            ['authors/0', page('authors', [{ id: 'a1', name: 'Ann' }])],
            ['books/1', page('books', [])],
          ]),
        },
      ]);
      expect(pagesOf(await s.load())).toEqual({
        'books/0': page('books', rowsFor(0, 3)),
        'authors/0': page('authors', [{ id: 'a1', name: 'Ann' }]),
        'books/1': page('books', []),
      });

      // Fewer rows, other ids, even another table: nothing of the old page may survive.
      await s.commit({ putPages: new Map([['books/0', page('genres', [{ id: 'g1', label: 'Poetry' }])]]) });
      expect((await s.load()).pages.get('books/0')).toEqual(page('genres', [{ id: 'g1', label: 'Poetry' }]));
    });

    it('deletes pages, ignoring ids it does not hold', async () => {
      const s = await committed([
        { putPages: new Map([1, 2, 3].map((n) => [`books/${n}`, page('books', rowsFor(n, 4))])) },
        { deletePages: ['books/2', 'books/404'] },
      ]);
      expect(Object.keys(pagesOf(await s.load())).sort()).toEqual(['books/1', 'books/3']);
    });

    it('puts, replaces and deletes outbox entries', async () => {
      const replaced = { ...entry(2), name: 'renameBook', args: ['book-2', 'New title'] };
      const s = await committed([
        { putOutbox: [entry(1), entry(2), entry(3)] },
        { putOutbox: [replaced], deleteOutbox: [1, 99] },
      ]);
      expect((await s.load()).outbox).toEqual([replaced, entry(3)]);
    });

    it('returns the outbox sorted by id, as numbers', async () => {
      const s = await committed([
        { putOutbox: [entry(10), entry(2)] },
        { putOutbox: [entry(100), entry(1), entry(33)] },
      ]);
      expect(outboxIds(await s.load())).toEqual([1, 2, 10, 33, 100]);
    });

    it('puts and deletes meta, keeping a null value apart from a missing key', async () => {
      const s = await committed([
        {
          putMeta: new Map<string, unknown>([
            ['clientID', 'c-1'],
            ['cursor', null],
            ['schemaVersion', 3],
            ['resources', { '/user/books': { cursor: 'abc', rows: 12 } }],
          ]),
        },
        { deleteMeta: ['schemaVersion', 'never-set'] },
      ]);
      const snap = await s.load();
      expect(metaOf(snap)).toEqual({
        clientID: 'c-1',
        cursor: null,
        resources: { '/user/books': { cursor: 'abc', rows: 12 } },
      });
      expect(snap.meta.has('cursor')).toBe(true);
    });

    it('clears everything before applying the rest of the batch', async () => {
      const s = await committed([
        {
          putPages: new Map([['books/0', page('books', rowsFor(0, 5))]]),
          putOutbox: [entry(1)],
          putMeta: new Map([['a', 1]]),
        },
        {
          clear: true,
          putPages: new Map([['books/9', page('books', rowsFor(9, 2))]]),
          putMeta: new Map([['b', 2]]),
        },
      ]);
      const snap = await s.load();
      expect(pagesOf(snap)).toEqual({ 'books/9': page('books', rowsFor(9, 2)) });
      expect(snap.outbox).toEqual([]);
      expect(metaOf(snap)).toEqual({ b: 2 });
    });

    it("applies a batch's deletes before its puts", async () => {
      const s = await committed([
        {
          deletePages: ['p'],
          putPages: new Map([['p', page('books', rowsFor(0, 1))]]),
          deleteOutbox: [1],
          putOutbox: [entry(1)],
          deleteMeta: ['k'],
          putMeta: new Map([['k', 'v']]),
        },
      ]);
      const snap = await s.load();
      expect([snap.pages.has('p'), outboxIds(snap), metaOf(snap)]).toEqual([true, [1], { k: 'v' }]);
    });

    const seed: StoreBatch = {
      putPages: new Map([
        ['books/0', page('books', rowsFor(0, 20))],
        ['books/1', page('books', rowsFor(1, 20))],
      ]),
      putOutbox: [entry(1), entry(2)],
      putMeta: new Map<string, unknown>([['cursor', 'c-7']]),
    };
    const unstorable: readonly [string, StoreBatch][] = [
      [
        'a function in a page row',
        { putPages: new Map([['books/2', page('books', [{ id: 'x', f: () => 1 }])]]) },
      ],
      ['a symbol in outbox args', { putOutbox: [{ ...entry(3), args: [Symbol('nope')] }] }],
      ['a function as a meta value', { putMeta: new Map([['callback', () => 1]]) }],
      [
        'a page row without an id',
        { putPages: new Map([['books/2', page('books', [{ title: 'no id' } as RowRecord])]]) },
      ],
    ];

    it.each(unstorable)(
      'rejects a commit with %s with STORE_WRITE_FAILED and changes nothing',
      async (_, bad) => {
        const s = await committed([seed]);
        const before = await s.load();
        // Every other part of the batch is valid and would change the state, so a partial write shows.
        const batch: StoreBatch = {
          clear: true,
          deletePages: ['books/1'],
          putPages: new Map([['books/0', page('books', [])], ...(bad.putPages ?? [])]),
          deleteOutbox: [1],
          putOutbox: [entry(5), ...(bad.putOutbox ?? [])],
          deleteMeta: ['cursor'],
          putMeta: new Map([['written', true], ...(bad.putMeta ?? [])]),
        };
        await expectRejects(s.commit(batch), 'STORE_WRITE_FAILED');
        expect(await s.load()).toEqual(before);

        // The store stays usable after a failed commit.
        await s.commit({ putMeta: new Map([['after', 1]]) });
        expect((await s.load()).meta.get('after')).toBe(1);
        expect(await (await reopened(s)).load()).toEqual({
          ...before,
          meta: new Map([...before.meta, ['after', 1]]),
        });
      },
    );

    it('applies commits in the order they were called, without awaiting each', async () => {
      const s = await opened();
      const commits = Array.from({ length: 20 }, (_, i) =>
        s.commit({
          clear: i === 10,
          putPages: new Map([
            ['last', page('books', [{ id: i }])],
            [`p${i}`, page('books', [{ id: `p${i}` }])],
          ]),
          deleteOutbox: [i],
          putOutbox: [entry(i + 1)],
          putMeta: new Map([['n', i]]),
        }),
      );
      await Promise.all(commits);
      const snap = await s.load();
      expect(snap.pages.get('last')).toEqual(page('books', [{ id: 19 }]));
      expect(Object.keys(pagesOf(snap)).sort()).toEqual(
        ['last', ...Array.from({ length: 10 }, (_, i) => `p${i + 10}`)].sort(),
      );
      expect(outboxIds(snap)).toEqual([20]);
      expect(metaOf(snap)).toEqual({ n: 19 });
    });

    it('a failed commit among concurrent ones affects only itself', async () => {
      const s = await opened();
      const results = await Promise.allSettled([
        s.commit({ putMeta: new Map([['first', 1]]) }),
        s.commit({ clear: true, putMeta: new Map([['bad', () => 1]]) }),
        s.commit({ putMeta: new Map([['third', 3]]) }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(metaOf(await s.load())).toEqual({ first: 1, third: 3 });
    });

    it('round-trips 40 pages of 500 rows, keeping row order', async () => {
      const pages = new Map(
        Array.from({ length: 40 }, (_, n) => [`books/${n}`, page('books', rowsFor(n, 500))]),
      );
      const s = await committed([{ putPages: pages }]);
      expect((await s.load()).pages).toEqual(pages);

      const changed = new Map<string, StoredPage>(pages);
      for (let n = 0; n < 40; n += 2) changed.set(`books/${n}`, page('books', rowsFor(n, 499).reverse()));
      for (let n = 1; n < 10; n += 2) changed.delete(`books/${n}`);
      await s.commit({
        putPages: new Map([...changed].filter(([, p]) => p.rows.length === 499)),
        deletePages: Array.from({ length: 5 }, (_, i) => `books/${2 * i + 1}`),
      });
      expect(await (await reopened(s)).load()).toEqual({ pages: changed, outbox: [], meta: new Map() });
    });

    it('round-trips values exactly: unicode, numbers, booleans, null, nested JSON, id types', async () => {
      // One id type per table, as the schema guarantees: a store may compare ids of a table as text.
      const pages = new Map([
        ['books/😀/0', page('books', [awkwardRow, { id: '' }, { id: '0' }])],
        ['authors/0', page('authors', [{ id: 0, name: 'number zero' }, { id: -7.5 }, { id: 2 ** 53 - 1 }])],
      ]);
      const outbox = [
        { id: 1, name: 'ünïcode/mutator', args: [awkwardRow, null, true, -1.5], timestamp: 0, undo: [] },
        {
          id: 2,
          name: 'update',
          args: [],
          timestamp: 1_700_000_000_123,
          undo: [{ table: 'books', id: 0, before: awkwardRow }],
        },
      ];
      const meta = new Map<string, unknown>([
        ['😀 key', awkwardRow],
        ['list', [1, 'two', [3], { four: null }]],
        ['string', 'plain'],
        ['number', -0.25],
        ['boolean', false],
      ]);
      const s = await committed([{ putPages: pages, putOutbox: outbox, putMeta: meta }]);
      expect(await s.load()).toEqual({ pages, outbox, meta });
      const loaded = (await s.load()).pages;
      const ids = ['books/😀/0', 'authors/0'].flatMap((id) => loaded.get(id)?.rows.map((r) => r.id));
      expect(ids).toStrictEqual([awkwardRow.id, '', '0', 0, -7.5, 2 ** 53 - 1]);
      expect(await (await reopened(s)).load()).toEqual({ pages, outbox, meta });
    });

    it('keeps its own copy of what was committed and of what it loads', async () => {
      const rows = rowsFor(0, 3).map((r) => ({ ...r }));
      const args: unknown[] = ['book-1', { title: 'Before' }];
      const value = { cursor: 'c-1' };
      const s = await committed([
        {
          putPages: new Map([['books/0', page('books', rows)]]),
          putOutbox: [{ ...entry(1), args }],
          putMeta: new Map([['m', value]]),
        },
      ]);
      rows.pop();
      (rows[0] as Record<string, unknown>).title = 'changed after commit';
      args.push('extra');
      value.cursor = 'changed';
      const first = await s.load();
      (first.pages.get('books/0')?.rows as RowRecord[]).length = 0;
      (first.meta.get('m') as { cursor: string }).cursor = 'changed in a snapshot';

      const snap = await s.load();
      expect(snap.pages.get('books/0')).toEqual(page('books', rowsFor(0, 3)));
      expect(snap.outbox[0]?.args).toEqual(['book-1', { title: 'Before' }]);
      expect(snap.meta.get('m')).toEqual({ cursor: 'c-1' });
    });

    it('keeps everything across close and reopen', async () => {
      const s = await committed([
        seed,
        { deletePages: ['books/1'], putOutbox: [entry(3)], deleteOutbox: [1], putMeta: new Map([['n', 1]]) },
      ]);
      const before = await s.load();
      expect(before.pages.size).toBe(1);
      const again = await reopened(s);
      expect(await again.load()).toEqual(before);
      expect(await (await reopened(again)).load()).toEqual(before);
    });

    it('lands a commit that was called before close', async () => {
      const s = await opened();
      const pending = s.commit({ putPages: seed.putPages ?? new Map(), putMeta: new Map([['late', true]]) });
      await s.close();
      await pending;
      const snap = await (await reopened(s)).load();
      expect([snap.pages.size, snap.meta.get('late')]).toEqual([2, true]);
    });

    it('can be opened again after close, the same instance', async () => {
      const s = await committed([seed]);
      await s.close();
      await s.open(DB_NAME);
      expect(outboxIds(await s.load())).toEqual([1, 2]);
    });

    it('rejects load and commit with STORE_CLOSED before open and after close; close twice is fine', async () => {
      const fresh = await newStore();
      used.push(fresh);
      await expectRejects(fresh.load(), 'STORE_CLOSED');
      await expectRejects(fresh.commit(seed), 'STORE_CLOSED');

      const s = await opened();
      await s.close();
      await s.close();
      await expectRejects(s.load(), 'STORE_CLOSED');
      await expectRejects(s.commit(seed), 'STORE_CLOSED');
    });
  });
}
