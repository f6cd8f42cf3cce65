import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SSSync } from '../client/sssync.js';
import { c, defineMutators, defineSchema, table, withArgs } from '../index.js';
import { memoryStore } from '../store/memory-store.js';

const schema = defineSchema({
  version: 1,
  tables: { books: table({ id: c.string(), title: c.string(), pageCount: c.number().default(0) }) },
});

const mutators = defineMutators(schema, {
  zodCreate: withArgs([z.string().min(1), z.string().max(20)], (tx, id, title) =>
    tx.books.insert({ id, title }),
  ),
  valibotCreate: withArgs([v.string(), v.pipe(v.number(), v.integer(), v.minValue(1))], (tx, id, pages) =>
    tx.books.insert({ id, title: 't', pageCount: pages }),
  ),
  plain: (tx, book: { id: string; title: string }) => tx.books.insert(book),
});

describe('mutator arguments', () => {
  const client = () => new SSSync('v', { schema, mutators, store: memoryStore() });

  it('valid arguments run the mutator', async () => {
    const s = client();
    await s.execute.zodCreate('a', 'Title');
    await s.execute.valibotCreate('b', 12);
    expect((await s.query.books.orderBy('id').run()).map((b) => b.pageCount)).toEqual([0, 12]);
  });

  it('invalid arguments reject with INVALID_ARGUMENT naming the argument, and change nothing', async () => {
    const s = client();
    await expect(s.execute.zodCreate('a', 'x'.repeat(30))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { mutator: 'zodCreate', argument: 1 },
    });
    await expect(s.execute.valibotCreate('b', 0)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { argument: 1 },
    });
    await expect((s.execute.zodCreate as (...a: unknown[]) => Promise<void>)('', 'ok')).rejects.toMatchObject(
      {
        details: { argument: 0 },
      },
    );
    expect(await s.query.books.run()).toEqual([]);
    expect(s.pendingCount).toBe(0);
  });

  it('arguments that are not JSON are refused', async () => {
    const s = client();
    const plain = s.execute.plain as (...a: unknown[]) => Promise<void>;
    await expect(plain({ id: 'x', title: 't', when: new Date() })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(plain({ id: 'x', title: () => 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(plain(Number.NaN)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('rows are checked against the schema: no unknown columns, right types', async () => {
    const s = client();
    const plain = s.execute.plain as (...a: unknown[]) => Promise<void>;
    await expect(plain({ id: 'x', title: 't', isAdmin: true })).rejects.toMatchObject({
      code: 'UNKNOWN_COLUMN',
    });
    await expect(plain({ id: 'x', title: 5 })).rejects.toMatchObject({ code: 'INVALID_ROW' });
    await s.execute.plain({ id: 'x', title: 't' });
    await expect(s.execute.plain({ id: 'x', title: 't' })).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
    expect(s.pendingCount).toBe(1);
  });

  it('mutator names are own properties only', async () => {
    const s = client();
    expect((s.execute as Record<string, unknown>).constructor).toBe(Object);
    expect(Object.hasOwn(s.execute, '__proto__')).toBe(false);
  });
});

describe('json columns', () => {
  it('store a private, frozen copy: changing the object passed in changes nothing', async () => {
    const jsonSchema = defineSchema({
      version: 1,
      tables: { notes: table({ id: c.string(), tags: c.json<string[]>(), meta: c.json<{ n: number }>() }) },
    });
    const m = defineMutators(jsonSchema, {
      add: (tx, id: string, tags: string[], meta: { n: number }) => tx.notes.insert({ id, tags, meta }),
    });
    const s = new SSSync('j', { schema: jsonSchema, mutators: m, store: memoryStore() });
    const tags = ['a'];
    const meta = { n: 1 };
    await s.execute.add('x', tags, meta);
    tags.push('b');
    meta.n = 2;
    const row = await s.query.notes.one().run();
    expect(row).toEqual({ id: 'x', tags: ['a'], meta: { n: 1 } });
    expect(Object.isFrozen(row?.tags)).toBe(true);
    expect(() => (row!.tags as string[]).push('c')).toThrow();
  });
});
