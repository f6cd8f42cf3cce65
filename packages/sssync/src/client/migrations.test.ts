import { describe, expect, it } from 'vitest';
import { c, defineMutators, defineSchema, migrate, table } from '../index.js';
import { memoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { SSSync } from './sssync.js';

const v1 = defineSchema({
  version: 1,
  tables: {
    books: table({ id: c.string(), title: c.string() }),
    notes: table({ id: c.string(), text: c.string() }),
  },
});
const v1Mutators = defineMutators(v1, {
  addBook: (tx, id: string, title: string) => tx.books.insert({ id, title }),
  editBook: (tx, id: string, title: string) => tx.books.update({ id, title }),
  addNote: (tx, id: string, text: string) => tx.notes.insert({ id, text }),
});

async function seed(store: Store): Promise<void> {
  const a = new SSSync('m', { schema: v1, mutators: v1Mutators, store });
  await a.execute.addBook('b1', 'dune');
  await a.execute.addBook('b2', 'emma');
  await a.execute.editBook('b2', 'Emma');
  await a.execute.addNote('n1', 'hi');
  await a.close();
}

const v3 = defineSchema({
  version: 3,
  tables: {
    books: table({ id: c.string(), name: c.string(), rating: c.number(), upper: c.boolean() }).index(
      'rating',
    ),
  },
  migrations: {
    2: [migrate.addColumn('books', 'rating', 3), migrate.renameColumn('books', 'title', 'name')],
    3: [
      migrate.transform('books', (row) => ({ ...row, upper: /^[A-Z]/.test(String(row.name)) })),
      migrate.dropTable('notes'),
    ],
  },
});

describe('local migrations', () => {
  it('run over stored rows (add with default, rename, transform, drop table) before any query', async () => {
    const store = memoryStore();
    await seed(store);
    const b = new SSSync('m', { schema: v3, mutators: defineMutators(v3, {}), store });
    expect(await b.query.books.orderBy('id').run()).toEqual([
      { id: 'b1', name: 'dune', rating: 3, upper: false },
      { id: 'b2', name: 'Emma', rating: 3, upper: true },
    ]);
    // The outbox is kept, and its before-images follow the migration (renamed column, dropped table).
    const outboxUndo = (await store.load()).outbox.map((e) => e.undo);
    expect(outboxUndo).toHaveLength(4);
    expect(outboxUndo[2]).toEqual([
      { table: 'books', id: 'b2', before: { id: 'b2', name: 'emma', rating: 3, upper: false } },
    ]);
    expect(outboxUndo[3]).toEqual([]);
    await b.close();
    // Reopening at the same version does not migrate again.
    const c3 = new SSSync('m', { schema: v3, mutators: defineMutators(v3, {}), store });
    expect(await c3.query.books.where('rating', '=', 3).run()).toHaveLength(2);
  });

  it('a failing migration reports MIGRATION_FAILED and leaves the old data intact', async () => {
    const store = memoryStore();
    await seed(store);
    await store.open('m');
    const before = await store.load();
    const broken = defineSchema({
      version: 2,
      tables: {
        books: table({ id: c.string(), title: c.string() }),
        notes: table({ id: c.string(), text: c.string() }),
      },
      migrations: {
        2: [
          migrate.transform('books', () => {
            throw new Error('boom');
          }),
        ],
      },
    });
    const b = new SSSync('m', { schema: broken, mutators: defineMutators(broken, {}), store });
    await expect(b.ready).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    await expect(b.query.books.run()).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    await store.open('m');
    expect(await store.load()).toEqual(before);
  });

  it('a migration whose result breaks the new schema fails the same way', async () => {
    const store = memoryStore();
    await seed(store);
    const missing = defineSchema({
      version: 2,
      tables: {
        books: table({ id: c.string(), title: c.string(), year: c.number() }),
        notes: table({ id: c.string(), text: c.string() }),
      },
    });
    const b = new SSSync('m', { schema: missing, mutators: defineMutators(missing, {}), store });
    await expect(b.ready).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    const b1 = new SSSync('m', { schema: v1, mutators: v1Mutators, store });
    expect(await b1.query.books.run()).toHaveLength(2);
  });

  it('a store written by a newer schema fails with STORE_NEWER_SCHEMA and is not touched', async () => {
    const store = memoryStore();
    await seed(store);
    const newer = defineSchema({ ...v3, version: 3 });
    const b = new SSSync('m', { schema: newer, mutators: defineMutators(newer, {}), store });
    await b.ready;
    await b.close();
    const old = new SSSync('m', { schema: v1, mutators: v1Mutators, store });
    await expect(old.ready).rejects.toMatchObject({ code: 'STORE_NEWER_SCHEMA' });
  });
});
