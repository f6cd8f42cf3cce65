import { describe, expect, it } from 'vitest';
import { defineMutators } from '../mutation/mutators.js';
import { eventually, makeClient, makeServer, mutators, schema } from '../test/sync-fixture.js';

describe('a paging pull while mutations are pending', () => {
  it('rebases once when its last page arrives, not once per page, and ends equal to the server', async () => {
    const server = makeServer(5);
    const seeder = makeClient(server);
    await seeder.client.ready;
    for (let i = 0; i < 40; i++) await seeder.client.execute.addBook(`b${i}`, `Book ${i}`);
    await seeder.client.sync();
    expect(server.rows('books')).toHaveLength(40);
    await seeder.client.close();

    let runs = 0;
    const counted = defineMutators(schema, {
      addBook: mutators.defs.addBook,
      setPages: mutators.defs.setPages,
      removeBook: mutators.defs.removeBook,
      renameBook: mutators.defs.renameBook,
      addPages: async (tx, id: string, n: number) => {
        runs++;
        const b = await tx.books.get(id);
        if (b) await tx.books.update({ id, pages: b.pages + n });
      },
    });
    const a = makeClient(server, { mutators: counted });
    a.fetch.online = false;
    await a.client.ready;
    const books = a.client.persist('/user/books');
    for (let i = 0; i < 10; i++) await a.client.execute.addPages(`b${i}`, 100);
    expect(runs).toBe(10);
    a.fetch.online = true;
    await books.ready;
    await eventually(async () => {
      await a.client.sync();
      expect(a.client.pendingCount).toBe(0);
    });
    // 40 rows in pages of 5 = 8 pages (+1 for the mutations' changes). One rebase per page would
    // replay the 10 pending mutations 8 times or more (90+ runs); held pages replay them about once.
    expect(runs).toBeLessThanOrEqual(30);
    expect(await a.client.query.books.orderBy('id', 'asc').run()).toEqual(
      server.rows('books').sort((x, y) => (String(x.id) < String(y.id) ? -1 : 1)),
    );
    expect(server.rows('books').filter((b) => b.pages === 100)).toHaveLength(10);
    await a.client.close();
  });
});
