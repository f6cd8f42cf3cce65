import { type DBSchema, type IDBPDatabase, type IDBPObjectStore, type IDBPTransaction, wrap } from 'idb';
import { errorMessage, SSSyncError } from '../util/errors.js';
import { checkBatch, writeFailed } from './check-batch.js';
import { checkOutboxEntry, checkPage, corrupted } from './check-snapshot.js';
import type { OutboxEntry, Store, StoreBatch, StoredPage, StoreSnapshot } from './store.js';

export interface IndexedDBStoreOptions {
  /** The IndexedDB database name; by default `sssync:` followed by the name given to `open`. */
  readonly name?: string;
  /** The factory to use instead of the global `indexedDB` (tests pass `fake-indexeddb`'s). */
  readonly indexedDB?: IDBFactory;
}

/**
 * A store in the browser's IndexedDB: one record per page of rows (hundreds of rows per record is what
 * makes loading fast), the outbox keyed by mutation id, and meta keyed by name. Each commit is one
 * readwrite transaction over the three, so it lands whole or not at all.
 */
export function indexedDBStore(options: IndexedDBStoreOptions = {}): Store {
  return new IndexedDBStore(options);
}

/** Raised when the layout of the object stores changes; an older app then refuses the database. */
const FORMAT_VERSION = 1;

interface Layout extends DBSchema {
  pages: { key: string; value: StoredPage };
  outbox: { key: number; value: OutboxEntry };
  meta: { key: string; value: unknown };
}

const STORES = ['pages', 'outbox', 'meta'] as const;
const NOT_OPEN = 'open it before use';

class IndexedDBStore implements Store {
  readonly kind = 'indexeddb';
  private db: IDBPDatabase<Layout> | undefined;
  private closedBecause = NOT_OPEN;

  constructor(private readonly options: IndexedDBStoreOptions) {}

  async open(name: string): Promise<void> {
    if (this.db) return;
    const factory = this.options.indexedDB ?? globalThis.indexedDB;
    if (!factory) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        'IndexedDB is not available here: pass options.indexedDB (e.g. from fake-indexeddb), or use memoryStore() or sqliteStore().',
      );
    }
    const dbName = this.options.name ?? `sssync:${name}`;
    const db = await openDatabase(factory, dbName);
    // Another tab upgrading or deleting the database waits for every connection to close: close at
    // once rather than block it, and tell our caller why the store went away.
    db.addEventListener('versionchange', () => {
      this.lose(db, `another tab upgraded or deleted the local database "${dbName}"; reload the page`);
    });
    // The browser closes the connection itself when the user clears site data or the disk fails.
    db.addEventListener('close', () => {
      this.lose(db, `the browser closed the local database "${dbName}"; reload the page`);
    });
    this.db = db;
  }

  async load(): Promise<StoreSnapshot> {
    const tx = this.transaction('readonly');
    const [[pageKeys, pageValues], outboxValues, metaKeys, metaValues] = await Promise.all([
      readPages(tx.objectStore('pages')),
      tx.objectStore('outbox').getAll(),
      tx.objectStore('meta').getAllKeys(),
      tx.objectStore('meta').getAll(),
      tx.done,
    ]);
    const pages = new Map<string, StoredPage>();
    pageKeys.forEach((key, i) => {
      if (typeof key !== 'string') throw corrupted(`a page key is ${typeof key}, not a string`);
      pages.set(key, checkPage(key, pageValues[i]));
    });
    const meta = new Map<string, unknown>();
    metaKeys.forEach((key, i) => {
      if (typeof key !== 'string') throw corrupted(`a meta key is ${typeof key}, not a string`);
      meta.set(key, metaValues[i]);
    });
    // IndexedDB returns records in key order, and numbers sort as numbers: the outbox comes sorted.
    return { pages, outbox: outboxValues.map((e) => checkOutboxEntry(e)), meta };
  }

  async commit(batch: StoreBatch): Promise<void> {
    checkBatch(batch);
    // Creating the transaction before the first await is what keeps commits in call order: IndexedDB
    // runs readwrite transactions over the same stores in the order they were created.
    const tx = this.transaction('readwrite');
    const requests: Promise<unknown>[] = [];
    try {
      const pages = tx.objectStore('pages');
      const outbox = tx.objectStore('outbox');
      const meta = tx.objectStore('meta');
      if (batch.clear) requests.push(pages.clear(), outbox.clear(), meta.clear());
      for (const id of batch.deletePages ?? []) requests.push(pages.delete(id));
      for (const [id, page] of batch.putPages ?? [])
        requests.push(pages.put({ table: page.table, rows: page.rows }, id));
      for (const id of batch.deleteOutbox ?? []) requests.push(outbox.delete(id));
      for (const e of batch.putOutbox ?? []) requests.push(outbox.put(e));
      for (const key of batch.deleteMeta ?? []) requests.push(meta.delete(key));
      for (const [key, value] of batch.putMeta ?? []) requests.push(meta.put(value, key));
      await Promise.all([...requests, tx.done]);
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // Already aborted by the failure itself.
      }
      await Promise.allSettled([...requests, tx.done]);
      // The transaction's error is the root cause (e.g. QuotaExceededError at commit time); the
      // requests then only report AbortError.
      throw describeWriteFailure(tx.error ?? e);
    }
  }

  async close(): Promise<void> {
    // Transactions already created still complete: IndexedDB closes the connection after them.
    this.db?.close();
    this.db = undefined;
    this.closedBecause = NOT_OPEN;
  }

  private transaction<M extends IDBTransactionMode>(mode: M): IDBPTransaction<Layout, typeof STORES, M> {
    const closed = () =>
      new SSSyncError('STORE_CLOSED', `The IndexedDB store is closed: ${this.closedBecause}.`);
    if (!this.db) throw closed();
    try {
      // 'strict': durable once the promise resolves, as the Store contract requires, at the price of
      // a flush to disk per commit.
      return this.db.transaction(STORES, mode, mode === 'readwrite' ? { durability: 'strict' } : {});
    } catch (e) {
      // InvalidStateError: the connection is closing (the browser is shutting it down).
      throw isNamed(e, 'InvalidStateError') ? closed() : e;
    }
  }

  private lose(db: IDBPDatabase<Layout>, reason: string): void {
    db.close();
    if (this.db !== db) return;
    this.db = undefined;
    this.closedBecause = reason;
  }
}

/** Page records per request in `readPages`: 1–4 measured alike, 16 and up slower. */
const PAGES_PER_READ = 4;

/**
 * Every page record and its key, in key order. Read as many small requests in the one transaction, not
 * one `getAll`: Chromium then reads the next records while this thread deserializes the previous ones,
 * which cut the load of 100k rows from ~260 to ~150 ms (bench B2). One readonly transaction sees one
 * state, so the ranges cut from its keys hold exactly those records.
 */
async function readPages(
  pages: IDBPObjectStore<Layout, typeof STORES, 'pages', 'readonly'>,
): Promise<[IDBValidKey[], unknown[]]> {
  const keys: IDBValidKey[] = await pages.getAllKeys();
  const reads: Promise<unknown[]>[] = [];
  for (let i = 0; i < keys.length; i += PAGES_PER_READ) {
    const last = keys[Math.min(keys.length, i + PAGES_PER_READ) - 1] as IDBValidKey;
    reads.push(pages.getAll(IDBKeyRange.bound(keys[i], last)));
  }
  return [keys, (await Promise.all(reads)).flat()];
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBPDatabase<Layout>> {
  // idb's openDB always uses the global indexedDB; `wrap` gives the same promise over any factory.
  const request = factory.open(name, FORMAT_VERSION);
  request.addEventListener('upgradeneeded', (event) => {
    // Only version 0 (a new database) reaches here while FORMAT_VERSION is 1; later formats add
    // their steps keyed on event.oldVersion.
    if (event.oldVersion === 0) {
      const db = request.result;
      db.createObjectStore('pages');
      db.createObjectStore('outbox', { keyPath: 'id' });
      db.createObjectStore('meta');
    }
  });
  return (wrap(request) as Promise<IDBPDatabase<Layout>>).catch((e: unknown) => {
    if (isNamed(e, 'VersionError')) {
      throw new SSSyncError(
        'STORE_NEWER_SCHEMA',
        `The local database "${name}" was written by a newer version of SSSync (store format above ${FORMAT_VERSION}). Nothing was changed; update or reload the app to open it.`,
        { cause: e },
      );
    }
    throw writeFailed(
      `Could not open the local database "${name}" (${errorMessage(e)}). Storage may be disabled (private browsing) or full.`,
      e,
    );
  });
}

function describeWriteFailure(e: unknown): SSSyncError {
  if (isNamed(e, 'QuotaExceededError')) {
    // Its own code: an app shows "storage is full" rather than a generic failure, and may retry later.
    return new SSSyncError(
      'STORE_QUOTA_EXCEEDED',
      'The browser refused to store more data for this site (QuotaExceededError). Free up space, or ask for persistent storage with navigator.storage.persist(), then retry. Nothing was written.',
      { cause: e },
    );
  }
  if (isNamed(e, 'DataCloneError')) {
    return writeFailed(
      `A value in the commit cannot be stored (${errorMessage(e)}); store only JSON data.`,
      e,
    );
  }
  return writeFailed(
    `Writing to IndexedDB failed (${errorMessage(e)}); retry, and reload the page if it persists.`,
    e,
  );
}

const isNamed = (e: unknown, name: string): boolean =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name;
