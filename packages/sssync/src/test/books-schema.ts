/** The seed's schema and mutators, shared by tests. */
import { c, defineMutators, defineSchema, many, one, table } from '../index.js';

export const schema = defineSchema({
  version: 1,
  tables: {
    authors: table({ id: c.string(), name: c.string() }),
    books: table({
      id: c.string(),
      title: c.string(),
      pageCount: c.number(),
      authorId: c.string().optional(),
    }).index('pageCount'),
  },
  relationships: {
    books: { author: one('authors', 'authorId') },
    authors: { books: many('books', 'authorId') },
  },
});

export const mutators = defineMutators(schema, {
  createBook: (tx, id: string, title: string) => tx.books.insert({ id, title, pageCount: 0 }),
  setPageCount: (tx, id: string, pageCount: number) => tx.books.update({ id, pageCount }),
  deleteBook: (tx, id: string) => tx.books.delete({ id }),
  addAuthor: (tx, id: string, name: string) => tx.authors.insert({ id, name }),
  putBook: (tx, book: { id: string; title: string; pageCount: number; authorId?: string | null }) =>
    tx.books.upsert(book),
  failing: async (tx, id: string) => {
    await tx.books.insert({ id, title: 'x', pageCount: 1 });
    throw new Error('nope');
  },
});
