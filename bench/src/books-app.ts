/** The SSSync app under test: one books table (indexed on pageCount) and the mutators the benchmarks run. */
import { c, defineMutators, defineSchema, table } from 'sssync';
import type { Book } from './data.js';

export const schema = defineSchema({
  version: 1,
  tables: {
    books: table({
      id: c.string(),
      title: c.string(),
      author: c.string(),
      pageCount: c.number(),
      tags: c.json<string[]>(),
      createdAt: c.date(),
      updatedAt: c.date(),
    }).index('pageCount'),
  },
});

export const mutators = defineMutators(schema, {
  setPageCount: (tx, id: string, pageCount: number) => tx.books.update({ id, pageCount }),
  putBooks: async (tx, books: Book[]) => {
    for (const book of books) await tx.books.upsert(book);
  },
});

export const BOOKS_PATH = '/books';
