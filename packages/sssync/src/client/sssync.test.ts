import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory-store.js';
import { mutators, schema } from '../test/books-schema.js';
import { SSSync } from './sssync.js';

const client = (store = memoryStore()) => new SSSync('test', { schema, mutators, store });

describe('SSSync on a memory store', () => {
  it('runs the seed snippets', async () => {
    const sssync = client();
    const seen: string[] = [];
    const books = sssync.query.books.where('pageCount', '>=', 4);
    const stop = books.subscribe((rows) => seen.push(rows.map((r) => r.id).join(',')));
    await sssync.execute.createBook('id-2313', 'Cool Title');
    expect(await sssync.query.books.where('id', '=', 'id-2313').run()).toHaveLength(1);
    await sssync.execute.setPageCount('id-2313', 5);
    expect(seen.at(-1)).toBe('id-2313');
    await sssync.execute.deleteBook('id-2313');
    expect(seen).toEqual(['', 'id-2313', '']);
    stop();
    await sssync.close();
  });

  it('keeps data and the outbox across close and reopen', async () => {
    const store = memoryStore();
    const a = client(store);
    await a.execute.createBook('b1', 'One');
    await a.execute.setPageCount('b1', 10);
    await a.close();
    const b = client(store);
    expect(await b.query.books.run()).toEqual([{ id: 'b1', title: 'One', pageCount: 10, authorId: null }]);
    expect(b.pendingCount).toBe(2);
    const exported = await b.export();
    expect(exported.pendingMutations.map((m) => [m.id, m.name])).toEqual([
      [1, 'createBook'],
      [2, 'setPageCount'],
    ]);
  });

  it('a mutator that throws changes nothing and rejects', async () => {
    const sssync = client();
    const results: unknown[] = [];
    sssync.query.books.subscribe((rows) => results.push(rows));
    const m = sssync.execute.failing('x1');
    await expect(m).rejects.toMatchObject({ code: 'MUTATOR_FAILED' });
    await expect(m.confirmed).rejects.toMatchObject({ code: 'MUTATOR_FAILED' });
    expect(await sssync.query.books.run()).toEqual([]);
    expect(results).toHaveLength(1);
    expect(sssync.pendingCount).toBe(0);
  });

  it('related rows through one and many', async () => {
    const sssync = client();
    await sssync.execute.addAuthor('a1', 'Ann');
    await sssync.execute.putBook({ id: 'b1', title: 'T1', pageCount: 3, authorId: 'a1' });
    await sssync.execute.putBook({ id: 'b2', title: 'T2', pageCount: 9, authorId: 'a1' });
    const book = await sssync.query.books.where('id', '=', 'b2').related('author').one().run();
    expect(book?.author?.name).toBe('Ann');
    const authors = await sssync.query.authors.related('books', (q) => q.orderBy('pageCount', 'desc')).run();
    expect(authors[0]?.books.map((b) => b.id)).toEqual(['b2', 'b1']);
  });
});
