/**
 * The books app's schema and mutators, shared by the browser app and the server: one definition for
 * the client's local tables, the server's SQL tables and the types.
 */
import { c, defineMutators, defineSchema, many, one, table } from 'sssync';

export const schema = defineSchema({
  version: 1,
  tables: {
    authors: table({ id: c.string(), name: c.string(), owner: c.string() }),
    books: table({
      id: c.string(),
      title: c.string(),
      pageCount: c.number(),
      authorId: c.string().optional(),
      owner: c.string(),
      createdAt: c.date(),
    })
      .index('pageCount')
      .index('createdAt'),
    /** A public library's shelf: loaded by `temporary('/api/library/:id')` from a plain REST endpoint. */
    libraryBooks: table({
      id: c.string(),
      libraryId: c.string(),
      title: c.string(),
      author: c.string(),
      pageCount: c.number(),
      available: c.boolean(),
    }),
  },
  relationships: {
    books: { author: one('authors', 'authorId') },
    authors: { books: many('books', 'authorId') },
  },
});

export interface NewBook {
  title: string;
  pageCount: number;
  authorId: string | null;
  createdAt: string;
}

export interface BookChanges {
  title?: string;
  pageCount?: number;
  authorId?: string | null;
}

/** The server refuses books longer than this (the client lets them through: see serverMutators). */
export const MAX_PAGES = 10_000;

/**
 * Run at once on the client (offline too), then again on the server. The client does not know who
 * it is signed in as (`tx.userID` is undefined there); the server sets the owner.
 */
export const mutators = defineMutators(schema, {
  createAuthor: (tx, id: string, name: string) => tx.authors.insert({ id, name, owner: tx.userID ?? '' }),
  createBook: (tx, id: string, book: NewBook) => tx.books.insert({ id, ...book, owner: tx.userID ?? '' }),
  updateBook: (tx, id: string, changes: BookChanges) => tx.books.update({ id, ...changes }),
  deleteBook: (tx, id: string) => tx.books.delete({ id }),
});

export type BooksMutators = typeof mutators;
