// A first look at SSSync: a sync server on a SQLite file, and a client on its own SQLite file,
// talking plain HTTP over loopback. Run with `npm start` (no other service needed).
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c, defineMutators, defineSchema, many, one, SSSync, table } from 'sssync';
import { createSyncHandler, toNodeHandler } from 'sssync/server';
import { sqliteDatabase } from 'sssync/server/sqlite';
import { sqliteStore } from 'sssync/sqlite';

// One schema for client, server and types.
const schema = defineSchema({
  version: 1,
  tables: {
    authors: table({ id: c.string(), name: c.string(), owner: c.string() }),
    books: table({
      id: c.string(),
      title: c.string(),
      pageCount: c.number(),
      authorId: c.string().optional(),
      owner: c.string(),
    }).index('pageCount'),
  },
  relationships: {
    books: { author: one('authors', 'authorId') },
    authors: { books: many('books', 'authorId') },
  },
});

// The same mutators run optimistically on the client and authoritatively on the server.
const mutators = defineMutators(schema, {
  createAuthor: (tx, id, name) => tx.authors.insert({ id, name, owner: tx.userID ?? 'me' }),
  createBook: (tx, id, title, authorId = null) =>
    tx.books.insert({ id, title, pageCount: 0, authorId, owner: tx.userID ?? 'me' }),
  setPageCount: (tx, id, pageCount) => tx.books.update({ id, pageCount }),
});

const dir = mkdtempSync(join(tmpdir(), 'sssync-quickstart-'));

// The server: a stateless Fetch handler over SQLite, served by node:http.
const handler = createSyncHandler({
  schema,
  mutators,
  resources: {
    '/user/books': ({ userID, query }) => [
      query.books.where('owner', '=', userID),
      query.authors.where('owner', '=', userID),
    ],
  },
  authenticate: (request) => (request.headers.get('authorization') === 'Bearer me' ? { userID: 'me' } : null),
  database: sqliteDatabase(join(dir, 'server.db')),
});
const http = createServer(toNodeHandler(handler));
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${http.address().port}/sync`;
console.log(`sync server on ${url}, data in ${dir}`);

// The client: a local SQLite file (a browser app would use indexedDBStore()).
const sssync = new SSSync('quickstart', {
  schema,
  mutators,
  store: sqliteStore(join(dir, 'client.db')),
  server: url,
  headers: () => ({ authorization: 'Bearer me' }),
});
await sssync.ready;
const books = sssync.persist('/user/books');

const query = sssync.query.books.where('pageCount', '>=', 4).orderBy('pageCount', 'desc').related('author');
const stop = query.subscribe((rows) => {
  console.log(
    'live query:',
    rows.map((b) => `${b.title} (${b.pageCount}p, by ${b.author?.name ?? '?'})`),
  );
});

await sssync.execute.createAuthor('a1', 'Ursula K. Le Guin');
await sssync.execute.createBook('id-2313', 'Cool Title', 'a1');
await sssync.execute.setPageCount('id-2313', 5);
await sssync.execute.createBook('b2', 'The Dispossessed', 'a1');
const last = sssync.execute.setPageCount('b2', 387);
console.log('applied locally; pending mutations:', sssync.pendingCount);

await last.confirmed;
await sssync.sync();
await books.ready;
console.log(
  'confirmed by the server; pending mutations:',
  sssync.pendingCount,
  '· status:',
  sssync.status.online ? 'online' : 'offline',
);
console.log('export:', JSON.stringify((await sssync.export()).tables.books));
console.log(`inspect the files: sqlite3 ${join(dir, 'client.db')} "SELECT data FROM sssync_rows"`);
stop();
await sssync.close();
http.close();
