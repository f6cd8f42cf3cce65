/**
 * The app the server suite runs: books with owners, the mutators a client would share, server
 * overrides, scoped resources, and a tiny API for building protocol requests. Test helper only.
 */
import * as v from 'valibot';
import { defineMutators, withArgs } from '../mutation/mutators.js';
import { c, defineSchema, many, one, type Schema, table, tableDef } from '../schema/index.js';
import { SSSyncError } from '../util/errors.js';
import type { SyncDatabase } from './database.js';
import { type CreateSyncHandlerOptions, createSyncHandler, type SyncHandler } from './handler.js';
import { decodeRow, encodeFlag, SYNC } from './sql-schema.js';

export const schema = defineSchema({
  version: 1,
  tables: {
    books: table({
      id: c.string(),
      owner: c.string(),
      title: c.string(),
      pages: c.number().default(0),
      done: c.boolean().default(false),
      tags: c.json<string[]>().optional(),
      published: c.date().optional(),
    }).index('owner'),
    authors: table({ id: c.string(), name: c.string(), rank: c.number().optional() }),
  },
  relationships: {
    books: { author: one('authors', 'owner') },
    authors: { books: many('books', 'owner') },
  },
});

export type BooksSchema = typeof schema;

export const mutators = defineMutators(schema, {
  addBook: (tx, id: string, title: string) => tx.books.insert({ id, title, owner: tx.userID ?? 'me' }),
  putBook: (tx, book: { id: string; title: string; owner: string }) => tx.books.upsert(book),
  setPages: (tx, id: string, pages: number) => tx.books.update({ id, pages }),
  addPages: async (tx, id: string, n: number) => {
    const book = await tx.books.get(id);
    if (book) await tx.books.update({ id, pages: book.pages + n });
  },
  removeBook: (tx, id: string) => tx.books.delete({ id }),
  renameBook: (tx, id: string, title: string) => tx.books.update({ id, title }),
  transferBook: (tx, id: string, owner: string) => tx.books.update({ id, owner }),
  addAuthor: (tx, id: string, name: string) => tx.authors.insert({ id, name }),
  validated: withArgs([v.string(), v.pipe(v.number(), v.minValue(1))], (tx, id, pages) =>
    tx.books.update({ id, pages }),
  ),
  failing: async (tx, id: string) => {
    await tx.books.insert({ id, title: 'failing', owner: 'x' });
    throw new Error('select * from secret_table -- internal detail');
  },
  refuse: () => {
    throw new SSSyncError('FORBIDDEN', 'You may not do this.');
  },
  unawaited: (tx, id: string) => {
    void tx.books.insert({ id, title: 'one', owner: 'x' });
    void tx.books.insert({ id, title: 'two', owner: 'x' });
  },
  /** Counts the caller's books with the query engine, on the server over SQL. */
  countMine: async (tx, id: string) => {
    const mine = await tx.query.books
      .where('owner', '=', tx.userID ?? '')
      .where('title', 'like', 'T%')
      .run();
    await tx.authors.upsert({ id, name: `${tx.location}:${tx.reason}:${tx.userID}`, rank: mine.length });
  },
  /** Relationships on the server: the author's books with pages, through `related`. */
  tally: async (tx, id: string) => {
    const author = await tx.query.authors
      .where('id', '=', id)
      .related('books', (q) => q.where('pages', '>', 0))
      .one()
      .run();
    const book = await tx.query.books.where('owner', '=', id).related('author').one().run();
    if (author) await tx.authors.update({ id, rank: author.books.length, name: `${book?.author?.name}!` });
  },
});

export const serverMutators = {
  ...mutators.defs,
  renameBook: async (tx: Parameters<typeof mutators.defs.renameBook>[0], id: string, title: string) => {
    if (title.startsWith('!')) throw new Error('titles may not start with "!"');
    const book = await tx.books.get(id);
    if (book && book.owner !== tx.userID) throw new SSSyncError('FORBIDDEN', 'Only the owner may rename it.');
    await tx.books.update({ id, title });
  },
  serverOnly: (tx: Parameters<typeof mutators.defs.renameBook>[0], id: string) =>
    tx.books.update({ id, title: 'set by the server' }),
};

const USER = /^Bearer ([a-z0-9-]{1,40})$/;

export function appOptions(
  database: SyncDatabase,
): CreateSyncHandlerOptions<BooksSchema, typeof mutators.defs> {
  return {
    schema,
    mutators,
    serverMutators,
    database,
    onError: () => {},
    authenticate: (request) => {
      const m = USER.exec(request.headers.get('authorization') ?? '');
      return m ? { userID: m[1]! } : null;
    },
    rateLimit: (_request, auth) => (auth.userID === 'limited' ? 7 : undefined),
    resources: {
      '/books': ({ userID, query }) => query.books.where('owner', '=', userID),
      '/books/:id': async ({ userID, params, query }) => {
        const book = await query.books
          .where('id', '=', params.id ?? '')
          .one()
          .run();
        if (book && book.owner !== userID) throw new SSSyncError('FORBIDDEN', 'Not your book.');
        return query.books.where('id', '=', params.id ?? '').where('owner', '=', userID);
      },
      '/books/new': ({ query }) => query.books.where('title', '=', 'new'),
      '/library': ({ userID, query }) => [query.books.where('owner', '=', userID), query.authors],
      '/broken': () => {
        throw new Error('internal: connection string postgres://secret');
      },
    },
  };
}

export function appHandler(
  database: SyncDatabase,
  extra: Partial<CreateSyncHandlerOptions<BooksSchema, typeof mutators.defs>> = {},
): SyncHandler {
  return createSyncHandler({ ...appOptions(database), ...extra });
}

export interface MutationInput {
  readonly id: number;
  readonly name: string;
  readonly args: readonly unknown[];
}

let counter = 0;
/** A fresh protocol id (client, group, row). */
export const fresh = (prefix: string): string =>
  `${prefix}-${(++counter).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Builds protocol requests and sends them to a handler, as a client would. */
export class Api {
  readonly handler: SyncHandler;

  constructor(handler: SyncHandler) {
    this.handler = handler;
  }

  send(
    path: 'push' | 'pull' | string,
    body: unknown,
    init: { user?: string | null; headers?: Record<string, string>; method?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
    if (init.user !== null) headers.authorization = `Bearer ${init.user ?? 'alice'}`;
    const method = init.method ?? 'POST';
    return this.handler(
      new Request(`http://test/sync/${path}`, {
        method,
        headers,
        ...(method === 'GET' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    );
  }

  async push(
    group: string,
    client: string,
    mutations: readonly MutationInput[],
    opts: { user?: string; schemaVersion?: number } = {},
  ): Promise<{ status: number; body: any }> {
    const body = {
      protocolVersion: 1,
      schemaVersion: opts.schemaVersion ?? 1,
      clientGroupID: group,
      clientID: client,
      mutations: mutations.map((m) => ({ ...m, timestamp: 1 })),
    };
    const response = await this.send('push', body, opts.user === undefined ? {} : { user: opts.user });
    return { status: response.status, body: await response.json() };
  }

  async pull(
    group: string,
    resources: readonly { path: string; cursor: string | null }[],
    opts: { user?: string; schemaVersion?: number; client?: string } = {},
  ): Promise<{ status: number; body: any }> {
    const body = {
      protocolVersion: 1,
      schemaVersion: opts.schemaVersion ?? 1,
      clientGroupID: group,
      clientID: opts.client ?? 'puller',
      resources,
    };
    const response = await this.send('pull', body, opts.user === undefined ? {} : { user: opts.user });
    return { status: response.status, body: await response.json() };
  }
}

/** A client's copy of one resource: applies pages as the client does. */
export class ResourceCopy {
  readonly rows = new Map<string, Record<string, unknown>>();
  cursor: string | null = null;
  pages = 0;

  apply(resource: { cursor: string; patch: any[]; more: boolean }): void {
    this.pages++;
    for (const op of resource.patch) {
      if (op.op === 'clear') this.rows.clear();
      else if (op.op === 'put') this.rows.set(`${op.table}/${op.row.id}`, op.row);
      else this.rows.delete(`${op.table}/${op.id}`);
    }
    this.cursor = resource.cursor;
  }

  /** Pulls until the resource is complete; returns the responses' bodies. */
  async sync(api: Api, group: string, path: string, user = 'alice'): Promise<any[]> {
    const bodies: any[] = [];
    for (let i = 0; i < 1000; i++) {
      const { status, body } = await api.pull(group, [{ path, cursor: this.cursor }], { user });
      if (status !== 200) throw new Error(`pull answered ${status}: ${JSON.stringify(body)}`);
      bodies.push(body);
      this.apply(body.resources[0]);
      if (!body.resources[0].more) return bodies;
    }
    throw new Error('pull never completed');
  }

  sorted(): Record<string, unknown>[] {
    return [...this.rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
  }
}

/** The live rows of a table in the database, as the app sees them, by id. */
export async function databaseRowsOf(
  db: SyncDatabase,
  appSchema: Schema,
  table: string,
): Promise<Record<string, unknown>[]> {
  const rows = await db.kysely
    .selectFrom(table)
    .selectAll()
    .where(SYNC.deleted, '=', encodeFlag(db.dialect, false))
    .execute();
  return rows
    .map((r) => decodeRow(tableDef(appSchema, table), r))
    .sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
}

export const databaseRows = (db: SyncDatabase, table: 'books' | 'authors') =>
  databaseRowsOf(db, schema, table);
