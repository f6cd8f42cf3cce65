import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, describe, expect, it } from 'vitest';
import { indexedDBStore } from '../store/idb-store.js';
import { memoryStore } from '../store/memory-store.js';
import { sqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { mutators, schema } from '../test/books-schema.js';
import { SSSync } from './sssync.js';

const file = join(tmpdir(), `sssync-seed-${process.pid}-${Date.now()}.db`);
afterAll(() => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
});

const factory = new IDBFactory();
const stores: [string, () => Store][] = [
  [
    'memory',
    (() => {
      const s = memoryStore();
      return () => s;
    })(),
  ],
  ['indexedDB (fake)', () => indexedDBStore({ indexedDB: factory })],
  ['sqlite', () => sqliteStore(file)],
];

describe.each(stores)('the seed API on %s', (_name, store) => {
  it('works as written, and the data survives closing and reopening', async () => {
    const sssync = new SSSync('seed', { schema, mutators, store: store() });
    const seen: string[] = [];
    const books = sssync.query.books.where('pageCount', '>=', 4);
    const stop = books.subscribe((rows) => seen.push(rows.map((r) => r.id).join(',')));
    const newBook = sssync.execute.createBook('id-2313', 'Cool Title');
    await newBook;
    expect(await sssync.query.books.where('id', '=', 'id-2313').run()).toHaveLength(1);
    await sssync.execute.setPageCount('id-2313', 5);
    expect(seen.at(-1)).toBe('id-2313');
    await sssync.execute.createBook('keep', 'Kept');
    await sssync.execute.setPageCount('keep', 300);
    await sssync.execute.deleteBook('id-2313');
    expect(seen.at(-1)).toBe('keep');
    stop();
    await sssync.close();

    const again = new SSSync('seed', { schema, mutators, store: store() });
    expect(await again.query.books.run()).toEqual([
      { id: 'keep', title: 'Kept', pageCount: 300, authorId: null },
    ]);
    expect(again.pendingCount).toBe(5);
    expect((await again.query.books.where('pageCount', '>=', 4).run()).map((b) => b.id)).toEqual(['keep']);
    await again.close();
  });
});
