/**
 * RxDB 17: the memory storage in Node (Dexie storage in the browser), an index on pageCount, and the
 * event-reduce live queries (`find().$`).
 */
import { createRxDatabase, type RxCollection, type RxJsonSchema, type RxStorage } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { type Book, FILTER_MIN } from '../data.js';
import { type Instance, type Peer, uniqueName } from './peer.js';

const bookSchema: RxJsonSchema<Book> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 32 },
    title: { type: 'string' },
    author: { type: 'string' },
    pageCount: { type: 'number', minimum: 0, maximum: 1_000_000_000, multipleOf: 1 },
    tags: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
  required: ['id', 'title', 'author', 'pageCount', 'tags', 'createdAt', 'updatedAt'],
  indexes: ['pageCount'],
};

export async function openRx(
  name: string,
  storage: RxStorage<any, any>,
): Promise<{ books: RxCollection<Book>; instance: Instance }> {
  const db = await createRxDatabase({ name, storage, multiInstance: false, eventReduce: true });
  const { books } = await db.addCollections({ books: { schema: bookSchema } });
  const filtered = () => books.find({ selector: { pageCount: { $gte: FILTER_MIN } } });
  const top50 = () => books.find({ selector: {}, sort: [{ pageCount: 'desc' }, { id: 'desc' }], limit: 50 });
  const instance: Instance = {
    countFiltered: async () => (await filtered().exec()).length,
    countPageCount: async (n) => (await books.find({ selector: { pageCount: n } }).exec()).length,
    watch: (kind, onResult) => {
      const sub = (kind === 'filtered' ? filtered() : top50()).$.subscribe(() => onResult());
      return () => sub.unsubscribe();
    },
    setPageCount: (book, pageCount) => books.upsert({ ...book, pageCount }),
    close: async () => {
      await db.close();
    },
  };
  return { books: books as RxCollection<Book>, instance };
}

export const rxdbPeer: Peer<string> = {
  name: 'rxdb',
  prepare: async (books) => JSON.stringify(books),
  bootstrap: async (text) => {
    const { books, instance } = await openRx(uniqueName('rxdb'), getRxStorageMemory());
    await books.bulkInsert(JSON.parse(text) as Book[]);
    return instance;
  },
};
