/**
 * The engines in Chromium, each on IndexedDB: SSSync (`indexedDBStore()`), Replicache (its IDB store),
 * Dexie, and RxDB on its Dexie storage. Each can write the books to a fresh database (B10), reopen it
 * until the filtered query over every row is answered (B2), and follow the sorted top-50 (B4).
 */
import Dexie, { liveQuery, type Table } from 'dexie';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { SSSync } from 'sssync';
import { indexedDBStore } from 'sssync/idb';
import { BOOKS_PATH, mutators, schema } from '../books-app.js';
import { type Book, FILTER_MIN } from '../data.js';
import { open as openReplicache, until } from '../peers/replicache.js';
import { openRx } from '../peers/rxdb.js';

export interface Opened {
  countFiltered(): Promise<number>;
  /** Follows the sorted top-50 (pageCount desc). */
  watchTop50(onRows: (rows: readonly Book[]) => void): () => void;
  setPageCount(book: Book, pageCount: number): unknown;
  close(): Promise<void>;
  /** SSSync's client, for its own React hooks. */
  readonly client?: unknown;
}

export interface BrowserEngine {
  /** Opens an empty database `name`; `write` then stores the books durably (timed in B10). */
  create(name: string, books: readonly Book[]): Promise<{ write(): Promise<void>; close(): Promise<void> }>;
  /** Opens an existing database (timed in B2 with the first query). */
  reopen(name: string): Promise<Opened>;
}

type Client = SSSync<typeof schema, typeof mutators.defs>;

function sssyncClient(name: string, books: readonly Book[] = []): Client {
  return new SSSync(name, {
    schema,
    mutators,
    store: indexedDBStore(),
    loaders: { [BOOKS_PATH]: async () => ({ books }) },
  });
}

export const sssyncEngine: BrowserEngine = {
  create: async (name, books) => {
    const client = sssyncClient(name, books);
    await client.ready;
    // `ready` of a persisted resource resolves after the store's commit (IndexedDB, durability strict).
    return { write: () => client.persist(BOOKS_PATH).ready, close: () => client.close() };
  },
  reopen: async (name) => {
    const client = sssyncClient(name);
    await client.ready;
    return {
      client,
      countFiltered: async () => (await client.query.books.where('pageCount', '>=', FILTER_MIN).run()).length,
      watchTop50: (onRows) =>
        client.query.books
          .orderBy('pageCount', 'desc')
          .limit(50)
          .subscribe((rows) => onRows(rows as readonly Book[])),
      setPageCount: (book, pageCount) => client.execute.setPageCount(book.id, pageCount),
      close: () => client.close(),
    };
  },
};

class BooksDB extends Dexie {
  books!: Table<Book, string>;
  constructor(name: string) {
    super(name);
    this.version(1).stores({ books: 'id, pageCount' });
  }
}

export const dexieEngine: BrowserEngine = {
  create: async (name, books) => {
    const db = new BooksDB(name);
    await db.open();
    return {
      write: async () => {
        await db.books.bulkPut(books as Book[]);
      },
      close: async () => db.close(),
    };
  },
  reopen: async (name) => {
    const db = new BooksDB(name);
    await db.open();
    return {
      countFiltered: async () =>
        (await db.books.where('pageCount').aboveOrEqual(FILTER_MIN).toArray()).length,
      watchTop50: (onRows) => {
        const sub = liveQuery(() => db.books.orderBy('pageCount').reverse().limit(50).toArray()).subscribe(
          onRows,
        );
        return () => sub.unsubscribe();
      },
      setPageCount: (book, pageCount) => db.books.update(book.id, { pageCount }),
      close: async () => db.close(),
    };
  },
};

export const rxdbEngine: BrowserEngine = {
  create: async (name, books) => {
    const { books: collection, instance } = await openRx(name, getRxStorageDexie());
    return {
      write: async () => {
        await collection.bulkInsert(books as Book[]);
      },
      close: () => instance.close(),
    };
  },
  reopen: async (name) => {
    const { books, instance } = await openRx(name, getRxStorageDexie());
    return {
      countFiltered: instance.countFiltered,
      watchTop50: (onRows) => {
        const sub = books
          .find({ selector: {}, sort: [{ pageCount: 'desc' }, { id: 'desc' }], limit: 50 })
          .$.subscribe((docs) => onRows(docs.map((d) => d.toJSON() as Book)));
        return () => sub.unsubscribe();
      },
      setPageCount: instance.setPageCount,
      close: instance.close,
    };
  },
};

/**
 * Replicache writes to IndexedDB on its own schedule (no public flush), so it cannot be timed in B10;
 * `create` pulls the books and waits for them to be persisted before closing, for B2.
 */
export const replicacheEngine: BrowserEngine & { canWrite: false } = {
  canWrite: false,
  create: async (name, books) => {
    const text = JSON.stringify({
      cookie: 1,
      lastMutationIDChanges: {},
      patch: books.map((b) => ({ op: 'put', key: `book/${b.id}`, value: b })),
    });
    const { rep } = openReplicache(name, text, 'idb');
    return {
      write: async () => {
        await until(rep, `book/${books.at(-1)!.id}`);
        // Replicache persists its memory state to IndexedDB about every second.
        await new Promise((r) => setTimeout(r, 3_000));
      },
      close: () => rep.close(),
    };
  },
  reopen: async (name) => {
    const { rep, instance } = openReplicache(name, null, 'idb');
    return {
      countFiltered: instance.countFiltered,
      watchTop50: (onRows) =>
        rep.subscribe(
          async (tx) =>
            ((await tx.scan({ prefix: 'book/' }).values().toArray()) as unknown as Book[])
              .sort((a, b) => b.pageCount - a.pageCount || (b.id < a.id ? -1 : 1))
              .slice(0, 50),
          { onData: onRows },
        ),
      setPageCount: instance.setPageCount,
      close: instance.close,
    };
  },
};

export const ENGINES: Record<string, BrowserEngine> = {
  sssync: sssyncEngine,
  replicache: replicacheEngine,
  dexie: dexieEngine,
  rxdb: rxdbEngine,
};
