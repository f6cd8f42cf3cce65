/**
 * SSSync in Node: a client on `memoryStore()` whose first pull gets the SQLite server's real answer for
 * all books (captured once). After that the client is offline (pushes never answer), so the benchmarks
 * time the client alone.
 */
import { SSSync } from 'sssync';
import { memoryStore } from 'sssync/memory';
import { BOOKS_PATH, mutators, schema } from '../books-app.js';
import { type Book, FILTER_MIN } from '../data.js';
import { type BenchServer, SERVER_URL, seed, sqliteServer } from '../server.js';
import { type Instance, type Peer, uniqueName } from './peer.js';

export type Client = SSSync<typeof schema, typeof mutators.defs>;

/** A server seeded with `books`, and the text of its answer to a first pull of `/books`, per row count. */
const servers = new Map<number, Promise<{ server: BenchServer; pullText: string }>>();

export function seededServer(books: readonly Book[]): Promise<{ server: BenchServer; pullText: string }> {
  let entry = servers.get(books.length);
  if (!entry) {
    entry = (async () => {
      const server = sqliteServer({ pageSize: books.length + 1 });
      await seed(server.fetch, books);
      const res = await server.fetch(`${SERVER_URL}/pull`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          protocolVersion: 1,
          schemaVersion: schema.version,
          clientGroupID: 'capture',
          clientID: 'capture',
          resources: [{ path: BOOKS_PATH, cursor: null }],
        }),
      });
      return { server, pullText: await res.text() };
    })();
    servers.set(books.length, entry);
  }
  return entry;
}

export async function closeServers(): Promise<void> {
  for (const entry of servers.values()) await (await entry).server.close();
  servers.clear();
}

export function wrap(client: Client): Instance {
  const filtered = client.query.books.where('pageCount', '>=', FILTER_MIN);
  const top50 = client.query.books.orderBy('pageCount', 'desc').limit(50);
  return {
    countFiltered: async () => (await filtered.run()).length,
    countPageCount: async (n) => (await client.query.books.where('pageCount', '=', n).run()).length,
    // Like TanStack DB's `subscribeChanges`: told what changed, no copy of the result per write
    // (B4 measures the snapshot path, `subscribe` through `useQuery`).
    watch: (kind, onResult) => (kind === 'filtered' ? filtered : top50).subscribeChanges(() => onResult()),
    setPageCount: (book, pageCount) => client.execute.setPageCount(book.id, pageCount),
    close: () => client.close(),
  };
}

export const sssyncPeer: Peer<string> = {
  name: 'sssync',
  prepare: async (books) => (await seededServer(books)).pullText,
  bootstrap: async (pullText) => {
    const client: Client = new SSSync(uniqueName('sssync'), {
      schema,
      mutators,
      store: memoryStore(),
      server: SERVER_URL,
      pullIntervalSeconds: 3600,
      fetch: (url) =>
        url.endsWith('/pull')
          ? Promise.resolve(new Response(pullText, { headers: { 'content-type': 'application/json' } }))
          : new Promise<Response>(() => {}),
    });
    await client.ready;
    await client.persist(BOOKS_PATH).ready;
    return wrap(client);
  },
};

/** A client loaded by a loader function (no server, no pull response): for B11's million rows. */
export async function loadedClient(books: readonly Book[]): Promise<Instance> {
  const client: Client = new SSSync(uniqueName('sssync'), {
    schema,
    mutators,
    store: memoryStore(),
    loaders: { [BOOKS_PATH]: async () => ({ books }) },
  });
  await client.ready;
  await client.persist(BOOKS_PATH).ready;
  return wrap(client);
}
