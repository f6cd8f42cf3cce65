/** A books app with owners, a reference server and helpers, shared by the sync tests. */
import { SSSync, type SSSyncOptions } from '../client/sssync.js';
import { c, defineMutators, defineSchema, type Transaction, table } from '../index.js';
import { memoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { type Fault, faultyFetch } from '../testing/faulty-fetch.js';
import { ReferenceServer } from '../testing/reference-server.js';

export const schema = defineSchema({
  version: 1,
  tables: {
    books: table({
      id: c.string(),
      owner: c.string(),
      title: c.string(),
      pages: c.number().default(0),
    }).index('pages'),
    shelves: table({ id: c.string(), name: c.string() }),
  },
});

export const mutators = defineMutators(schema, {
  addBook: (tx, id: string, title: string, owner = 'alice') => tx.books.insert({ id, title, owner }),
  setPages: (tx, id: string, pages: number) => tx.books.update({ id, pages }),
  addPages: async (tx, id: string, n: number) => {
    const b = await tx.books.get(id);
    if (b) await tx.books.update({ id, pages: b.pages + n });
  },
  removeBook: (tx, id: string) => tx.books.delete({ id }),
  /** The server refuses titles starting with "!" (a server-only rule, as a permission check would be). */
  renameBook: (tx, id: string, title: string) => tx.books.update({ id, title }),
});

export function makeServer(pageSize = 1000, limits: { maxMutationsPerPush?: number } = {}) {
  return new ReferenceServer({
    schema,
    mutators,
    limits: { pageSize, ...limits },
    authenticate: (request) => {
      const user = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return user === undefined ? null : { userID: user };
    },
    resources: {
      '/user/books': ({ userID, query }) => query.books.where('owner', '=', userID),
      '/books/:id': ({ params, query }) => query.books.where('id', '=', params.id ?? ''),
      '/shelves': ({ query }) => query.shelves,
    },
    serverMutators: {
      ...mutators.defs,
      renameBook: async (tx: Transaction<typeof schema>, id: string, title: string) => {
        if (title.startsWith('!')) throw new Error('titles may not start with "!"');
        await tx.books.update({ id, title });
      },
    },
  });
}

export function makeClient(
  server: ReturnType<typeof makeServer>,
  opts: { store?: Store; user?: string; faults?: (url: string, n: number) => Fault | undefined } & Partial<
    SSSyncOptions<typeof schema, typeof mutators.defs>
  > = {},
) {
  const fetch = faultyFetch(server.fetch, opts.faults ?? (() => undefined));
  const { store, user, faults, ...rest } = opts;
  const client = new SSSync('app', {
    schema,
    mutators,
    store: store ?? memoryStore(),
    server: 'http://test/sync',
    fetch,
    headers: () => ({ authorization: `Bearer ${user ?? 'alice'}` }),
    backoff: { baseMs: 1, maxMs: 4 },
    ...rest,
  });
  return { client, fetch };
}

/** Waits until `check` passes (or fails after ~2 s of real time); for asynchronous sync effects. */
export async function eventually(check: () => void | Promise<void>, tries = 400): Promise<void> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      await check();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  throw last;
}
