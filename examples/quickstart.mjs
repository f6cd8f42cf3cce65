// A first look at SSSync's API on a local SQLite file (no server): run with `npm start`.
import { c, defineMutators, defineSchema, many, one, SSSync, table } from 'sssync';
import { memoryStore } from 'sssync/memory';

const schema = defineSchema({
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

const mutators = defineMutators(schema, {
  createAuthor: (tx, id, name) => tx.authors.insert({ id, name }),
  createBook: (tx, id, title, authorId = null) => tx.books.insert({ id, title, pageCount: 0, authorId }),
  setPageCount: (tx, id, pageCount) => tx.books.update({ id, pageCount }),
});

const sssync = new SSSync('quickstart', { schema, mutators, store: memoryStore() });

const books = sssync.query.books.where('pageCount', '>=', 4).orderBy('pageCount', 'desc').related('author');
const stop = books.subscribe((rows) => {
  console.log(
    'live query:',
    rows.map((b) => `${b.title} (${b.pageCount}p, by ${b.author?.name ?? '?'})`),
  );
});

await sssync.execute.createAuthor('a1', 'Ursula K. Le Guin');
await sssync.execute.createBook('id-2313', 'Cool Title', 'a1');
await sssync.execute.setPageCount('id-2313', 5);
await sssync.execute.createBook('b2', 'The Dispossessed', 'a1');
await sssync.execute.setPageCount('b2', 387);

console.log('pending mutations (queued for the server):', sssync.pendingCount);
console.log('export:', JSON.stringify((await sssync.export()).tables, null, 2));
stop();
await sssync.close();
