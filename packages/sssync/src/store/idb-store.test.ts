// idb recognises IndexedDB objects by the global classes, which Node lacks: install fake-indexeddb's.
import 'fake-indexeddb/auto';
import { forceCloseDatabase, IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { type IDBPDatabase, wrap } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runStoreSuite } from '../testing/index.js';
import { entry, expectRejects, page, rowsFor } from '../testing/store-fixtures.js';
import { indexedDBStore } from './idb-store.js';
import type { Store } from './store.js';

// A fresh factory per store keeps tests apart; reopening reuses the store's factory.
const factories = new WeakMap<Store, IDBFactory>();
function storeOn(factory: IDBFactory): Store {
  const s = indexedDBStore({ indexedDB: factory });
  factories.set(s, factory);
  return s;
}

runStoreSuite('indexeddb', () => storeOn(new IDBFactory()), {
  reopen: (s) => storeOn(factories.get(s) ?? new IDBFactory()),
});

describe('indexedDBStore', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function setup(): Promise<{ factory: IDBFactory; store: Store }> {
    const factory = new IDBFactory();
    const store = indexedDBStore({ indexedDB: factory });
    cleanup.push(() => store.close());
    await store.open('app');
    return { factory, store };
  }

  async function raw(factory: IDBFactory, name = 'sssync:app', version?: number): Promise<IDBPDatabase> {
    const db = (await wrap(factory.open(name, version))) as IDBPDatabase;
    cleanup.push(() => db.close());
    return db;
  }

  it('names the database sssync:<name> unless told otherwise', async () => {
    const factory = new IDBFactory();
    const named = indexedDBStore({ indexedDB: factory, name: 'custom' });
    const plain = indexedDBStore({ indexedDB: factory });
    cleanup.push(
      () => named.close(),
      () => plain.close(),
    );
    await named.open('app');
    await plain.open('app');
    expect((await factory.databases()).map((d) => d.name).sort()).toEqual(['custom', 'sssync:app']);
  });

  it('stores one record per page, not one per row', async () => {
    const { factory, store } = await setup();
    const pages = new Map([0, 1, 2].map((n) => [`books/${n}`, page('books', rowsFor(n, 300))]));
    await store.commit({ putPages: pages, putOutbox: [entry(1)] });
    await store.close();
    const db = await raw(factory);
    expect(await db.count('pages')).toBe(3);
    expect(await db.get('pages', 'books/1')).toEqual(page('books', rowsFor(1, 300)));
    expect(await db.count('outbox')).toBe(1);
  });

  const corruptions: readonly [string, string, unknown, IDBValidKey | undefined][] = [
    ['a page without rows', 'pages', { table: 'books' }, 'books/bad'],
    ['a row without an id', 'pages', { table: 'books', rows: [{ title: 'no id' }] }, 'books/bad'],
    ['a page under a number key', 'pages', { table: 'books', rows: [] }, 7],
    ['an outbox entry without args', 'outbox', { id: 9, name: 'm', timestamp: 0, undo: [] }, undefined],
    ['a meta value under a number key', 'meta', 'value', 3],
  ];

  it.each(corruptions)(
    'rejects %s with STORE_CORRUPTED and leaves the data as it was',
    async (_, name, value, key) => {
      const { factory, store } = await setup();
      await store.commit({
        putPages: new Map([['books/0', page('books', rowsFor(0, 3))]]),
        putOutbox: [entry(1)],
      });
      await store.close();
      const db = await raw(factory);
      await db.put(name, value, key);
      const before = await Promise.all(['pages', 'outbox', 'meta'].map((s) => db.getAll(s)));
      db.close();

      await store.open('app');
      await expectRejects(store.load(), 'STORE_CORRUPTED');
      await store.close();
      const after = await raw(factory);
      expect(await Promise.all(['pages', 'outbox', 'meta'].map((s) => after.getAll(s)))).toEqual(before);
    },
  );

  it('reads the pages in several requests, each page with its own key, in key order', async () => {
    const { store } = await setup();
    // More pages than one request reads, with keys whose order is not their insertion order.
    const ids = [9, 3, 11, 0, 7, 1, 10, 5, 2, 8, 4, 6].map((n) => `books/${String(n).padStart(2, '0')}`);
    const pages = new Map(ids.map((id, n) => [id, page('books', rowsFor(n, 5))]));
    await store.commit({ putPages: pages });
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
    const loaded = (await store.load()).pages;
    const pageReads = getAll.mock.contexts.filter((s) => (s as IDBObjectStore).name === 'pages');
    expect(pageReads.length).toBeGreaterThan(1);
    expect([...loaded.keys()]).toEqual([...ids].sort());
    expect(Object.fromEntries(loaded)).toEqual(Object.fromEntries(pages));
  });

  it('refuses a database from a newer store format with STORE_NEWER_SCHEMA, changing nothing', async () => {
    const factory = new IDBFactory();
    const db = await raw(factory, 'sssync:app', 2);
    db.close();
    const store = indexedDBStore({ indexedDB: factory });
    cleanup.push(() => store.close());
    await expectRejects(store.open('app'), 'STORE_NEWER_SCHEMA');
    const after = await raw(factory, 'sssync:app');
    expect([after.version, [...after.objectStoreNames]]).toEqual([2, []]);
  });

  it('closes itself when another tab upgrades the database, instead of blocking it', async () => {
    const { factory, store } = await setup();
    const blocked = vi.fn();
    const request = factory.open('sssync:app', 2);
    request.addEventListener('blocked', blocked);
    const upgraded = (await wrap(request)) as IDBPDatabase;
    cleanup.push(() => upgraded.close());
    expect([upgraded.version, blocked.mock.calls.length]).toEqual([2, 0]);
    const e = await expectRejects(store.load(), 'STORE_CLOSED');
    expect(e.message).toMatch(/another tab upgraded or deleted/);
  });

  it('closes itself when the database is deleted', async () => {
    const { factory, store } = await setup();
    await store.commit({ putMeta: new Map([['k', 1]]) });
    await wrap(factory.deleteDatabase('sssync:app'));
    await expectRejects(store.commit({ putMeta: new Map([['k', 2]]) }), 'STORE_CLOSED');
  });

  it('closes itself when the browser closes the connection (site data cleared)', async () => {
    const factory = new IDBFactory();
    const opening = vi.spyOn(factory, 'open');
    const store = indexedDBStore({ indexedDB: factory });
    cleanup.push(() => store.close());
    await store.open('app');
    const connection = opening.mock.results[0]?.value.result as IDBDatabase;
    forceCloseDatabase(connection as unknown as typeof IDBDatabase);
    const e = await expectRejects(store.load(), 'STORE_CLOSED');
    expect(e.message).toMatch(/browser closed/);
  });

  it('rejects with STORE_QUOTA_EXCEEDED when the browser aborts a commit for quota, changing nothing', async () => {
    const { store } = await setup();
    await store.commit({
      putPages: new Map([['books/0', page('books', rowsFor(0, 3))]]),
      putMeta: new Map([['a', 1]]),
    });
    const before = await store.load();

    // A browser reports quota as the transaction aborting with QuotaExceededError after the writes
    // were accepted; fake-indexeddb's internal _abort does the same.
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(function (
      this: IDBObjectStore,
      ...args
    ) {
      const request = put.apply(this, args);
      (this.transaction as unknown as { _abort(name: string): void })._abort('QuotaExceededError');
      return request;
    });
    const e = await expectRejects(
      store.commit({ clear: true, putPages: new Map([['books/1', page('books', rowsFor(1, 3))]]) }),
      'STORE_QUOTA_EXCEEDED',
    );
    expect([e.message, (e.cause as Error).name]).toEqual([
      expect.stringMatching(/free up space/i),
      'QuotaExceededError',
    ]);
    expect(await store.load()).toEqual(before);
  });

  it('rejects with STORE_QUOTA_EXCEEDED when a write throws quota at once, changing nothing', async () => {
    const { store } = await setup();
    await store.commit({ putMeta: new Map([['a', 1]]) });
    const before = await store.load();
    // The first put (the outbox entry) goes through, so the failure comes after a write.
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put')
      .mockImplementationOnce(put)
      .mockImplementationOnce(() => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      });
    const e = await expectRejects(
      store.commit({ clear: true, putMeta: new Map([['b', 2]]), putOutbox: [entry(1)] }),
      'STORE_QUOTA_EXCEEDED',
    );
    expect((e.cause as Error).name).toBe('QuotaExceededError');
    expect(await store.load()).toEqual(before);
  });
});
