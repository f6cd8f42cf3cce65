import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory-store.js';
import { mutators, schema } from '../test/books-schema.js';
import { SSSync } from './sssync.js';

describe('corrupted local data', () => {
  it('a row that breaks the schema fails with STORE_CORRUPTED and nothing is rewritten', async () => {
    const store = memoryStore();
    const a = new SSSync('c', { schema, mutators, store });
    await a.execute.createBook('b1', 'One');
    await a.close();
    await store.open('c');
    const snap = await store.load();
    const [pageId, page] = [...snap.pages][0]!;
    await store.commit({ putPages: new Map([[pageId, { ...page, rows: [{ id: 'b1', title: 42 }] }]]) });
    const before = await store.load();
    const b = new SSSync('c', { schema, mutators, store });
    await expect(b.ready).rejects.toMatchObject({ code: 'STORE_CORRUPTED' });
    await expect(b.execute.createBook('b2', 'x')).rejects.toMatchObject({ code: 'STORE_CORRUPTED' });
    expect(await store.load()).toEqual(before);
  });

  it('a page of an unknown table or missing metadata is reported as corrupted', async () => {
    const store = memoryStore();
    await store.open('c');
    await store.commit({ putPages: new Map([['ghosts:0', { table: 'ghosts', rows: [{ id: 1 }] }]]) });
    const b = new SSSync('c', { schema, mutators, store });
    await expect(b.ready).rejects.toMatchObject({ code: 'STORE_CORRUPTED' });
  });
});
