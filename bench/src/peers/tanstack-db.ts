/**
 * TanStack DB: a local-only collection loaded with the response's rows (what a synced collection's
 * `begin/write/commit` does too), a BTree index on pageCount, and live query collections.
 */
import {
  BTreeIndex,
  createCollection,
  createLiveQueryCollection,
  eq,
  gte,
  localOnlyCollectionOptions,
  queryOnce,
} from '@tanstack/db';
import { type Book, FILTER_MIN } from '../data.js';
import type { Instance, Peer } from './peer.js';
import { uniqueName } from './peer.js';

export const tanstackPeer: Peer<string> = {
  name: 'tanstack-db',
  prepare: async (books) => JSON.stringify(books),
  bootstrap: async (text) => {
    const books = createCollection(
      localOnlyCollectionOptions<Book, string>({
        id: uniqueName('tanstack'),
        getKey: (b) => b.id,
        initialData: JSON.parse(text) as Book[],
      }),
    );
    books.createIndex((b) => b.pageCount, { indexType: BTreeIndex });
    await books.preload();
    const instance: Instance = {
      countFiltered: async () =>
        (await queryOnce((q) => q.from({ b: books }).where(({ b }) => gte(b.pageCount, FILTER_MIN)))).length,
      countPageCount: async (n) =>
        (await queryOnce((q) => q.from({ b: books }).where(({ b }) => eq(b.pageCount, n)))).length,
      watch: (kind, onResult) => {
        const live = createLiveQueryCollection({
          startSync: true,
          query: (q) =>
            kind === 'filtered'
              ? q.from({ b: books }).where(({ b }) => gte(b.pageCount, FILTER_MIN))
              : q
                  .from({ b: books })
                  .orderBy(({ b }) => b.pageCount, 'desc')
                  .limit(50),
        });
        const sub = live.subscribeChanges(() => onResult(), { includeInitialState: true });
        return () => {
          sub.unsubscribe();
          void live.cleanup();
        };
      },
      setPageCount: (book, pageCount) =>
        books.update(book.id, (draft) => {
          draft.pageCount = pageCount;
        }),
      close: () => books.cleanup(),
    };
    return instance;
  },
};
