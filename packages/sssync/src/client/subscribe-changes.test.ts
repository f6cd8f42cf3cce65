import { describe, expect, it } from 'vitest';
import type { ResultChange } from '../query/live-query.js';
import { memoryStore } from '../store/memory-store.js';
import { mutators, schema } from '../test/books-schema.js';
import { SSSync } from './sssync.js';

const client = () => new SSSync('test', { schema, mutators, store: memoryStore() });

/** Changes as short strings: `+b1`, `~b1:3>5` (pageCount before > after), `-b1`. */
function brief(changes: readonly ResultChange<{ id: string; pageCount: number }>[]): string[] {
  return changes
    .map((c) =>
      c.type === 'insert'
        ? `+${c.row.id}`
        : c.type === 'delete'
          ? `-${c.row.id}`
          : `~${c.row.id}:${c.before.pageCount}>${c.row.pageCount}`,
    )
    .sort();
}

describe('query.subscribeChanges()', () => {
  it('gives the result now as inserts, then what each commit changed in it', async () => {
    const sssync = client();
    await sssync.execute.putBook({ id: 'b1', title: 'One', pageCount: 10 });
    const calls: string[][] = [];
    const stop = sssync.query.books
      .where('pageCount', '>=', 5)
      .subscribeChanges((changes) => calls.push(brief(changes)));
    await sssync.ready;
    await sssync.execute.putBook({ id: 'b2', title: 'Two', pageCount: 20 });
    await sssync.execute.setPageCount('b1', 11);
    await sssync.execute.setPageCount('b2', 1); // leaves the result
    await sssync.execute.setPageCount('b2', 2); // outside the result before and after: no call
    await sssync.execute.deleteBook('b1');
    expect(calls).toEqual([['+b1'], ['+b2'], ['~b1:10>11'], ['-b2'], ['-b1']]);
    stop();
    await sssync.execute.putBook({ id: 'b3', title: 'Three', pageCount: 30 });
    expect(calls).toHaveLength(5);
    await sssync.close();
  });

  it('a row pushed out of a limited window is a delete, and an insert when it comes back', async () => {
    const sssync = client();
    for (const [id, n] of [
      ['b1', 10],
      ['b2', 20],
      ['b3', 30],
    ] as const)
      await sssync.execute.putBook({ id, title: id, pageCount: n });
    const calls: string[][] = [];
    const top2 = sssync.query.books.orderBy('pageCount', 'desc').limit(2);
    top2.subscribeChanges((changes) => calls.push(brief(changes)));
    await sssync.ready;
    await sssync.execute.putBook({ id: 'b4', title: 'b4', pageCount: 40 });
    await sssync.execute.deleteBook('b4'); // b2 comes back into the window
    expect(calls).toEqual([
      ['+b2', '+b3'],
      ['+b4', '-b2'],
      ['+b2', '-b4'],
    ]);
    await sssync.close();
  });

  it('follows relationships and a commit past the incremental limit, as a snapshot subscriber does', async () => {
    const sssync = client();
    await sssync.execute.addAuthor('a1', 'Ann');
    await sssync.execute.putBook({ id: 'b1', title: 'T1', pageCount: 3, authorId: 'a1' });
    const authors = sssync.query.authors.related('books');
    const mirror = new Map<string, unknown>();
    authors.subscribeChanges((changes) => {
      for (const c of changes) {
        if (c.type === 'delete') mirror.delete(c.row.id);
        else mirror.set(c.row.id, c.row);
      }
    });
    let snapshot: readonly unknown[] = [];
    authors.subscribe((rows) => {
      snapshot = rows;
    });
    await sssync.ready;
    await sssync.execute.putBook({ id: 'b2', title: 'T2', pageCount: 4, authorId: 'a1' }); // related table only
    expect(snapshot).toEqual([...mirror.values()]);
    expect((snapshot[0] as { books: unknown[] }).books).toHaveLength(2);
    // 1,500 rows in one commit: the live query re-evaluates instead of applying each change.
    const books = sssync.query.books.where('pageCount', '>=', 100);
    const seen = new Map<string, unknown>();
    books.subscribeChanges((changes) => {
      for (const c of changes) {
        if (c.type === 'delete') seen.delete(c.row.id);
        else seen.set(c.row.id, c.row);
      }
    });
    await sssync.batch(async () => {
      for (let i = 0; i < 1_500; i++)
        await sssync.execute.putBook({ id: `x${i}`, title: 'x', pageCount: 100 + (i % 7) });
    });
    const now = await books.run();
    expect(seen.size).toBe(1_500);
    for (const row of now) expect(seen.get(row.id)).toEqual(row);
    await sssync.close();
  });

  it('is refused inside a mutator, where results are not live', async () => {
    const sssync = new SSSync('test', {
      schema,
      mutators: {
        ...mutators,
        defs: {
          ...mutators.defs,
          watch: async (tx: { query: { books: { subscribeChanges: (l: () => void) => void } } }) => {
            tx.query.books.subscribeChanges(() => {});
          },
        },
      } as unknown as typeof mutators,
      store: memoryStore(),
    });
    const execute = sssync.execute as unknown as Record<string, () => Promise<unknown>>;
    await expect(execute.watch!()).rejects.toMatchObject({ code: 'INVALID_QUERY' });
    await sssync.close();
  });
});
