/** The server suite's pull tests: paging, incremental pulls, removals, resources, cursors. */
import { describe, expect, it } from 'vitest';
import type { SuiteState } from './server-suite.js';
import { Api, appHandler, fresh, ResourceCopy } from './test-app.js';

const m = (id: number, name: string, ...args: unknown[]) => ({ id, name, args });

export function pullTests(s: SuiteState): void {
  describe('pull', () => {
    it('pages a full load with `more`, starting with `clear`', async () => {
      const handler = appHandler(s.db, { limits: { pageSize: 3 } });
      const api = new Api(handler);
      const [g, cl] = [fresh('g'), fresh('c')];
      await api.push(
        g,
        cl,
        Array.from({ length: 10 }, (_, i) => m(i + 1, 'addBook', `b${i}`, `T${i}`)),
      );
      await api.push(fresh('g'), fresh('c'), [m(1, 'addBook', 'x1', 'Bob')], { user: 'bob' });
      const copy = new ResourceCopy();
      const bodies = await copy.sync(api, g, '/books');
      const pages = bodies.map((b) => b.resources[0]);
      expect(pages.map((p) => p.more)).toEqual([true, true, true, false]);
      expect(pages[0].patch[0]).toEqual({ op: 'clear' });
      for (const p of pages)
        expect(p.patch.filter((op: any) => op.op !== 'clear').length).toBeLessThanOrEqual(3);
      expect(new Set(pages.map((p) => p.cursor)).size).toBe(4);
      expect(copy.sorted().map((b) => b.id)).toEqual([
        'b0',
        'b1',
        'b2',
        'b3',
        'b4',
        'b5',
        'b6',
        'b7',
        'b8',
        'b9',
      ]);
    });

    it('an incremental pull brings only what changed, and nothing when nothing did', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      await s.api.push(g, cl, [m(1, 'addBook', 'b1', 'A'), m(2, 'addBook', 'b2', 'B')]);
      const copy = new ResourceCopy();
      await copy.sync(s.api, g, '/books');
      const idle = await copy.sync(s.api, g, '/books');
      expect(idle[0].resources[0].patch).toEqual([]);
      await s.api.push(g, cl, [m(3, 'setPages', 'b2', 9)]);
      const [next] = await copy.sync(s.api, g, '/books');
      expect(next.resources[0].patch).toEqual([
        { op: 'put', table: 'books', row: expect.objectContaining({ id: 'b2', pages: 9 }) },
      ]);
      expect(next.lastMutationIDs).toEqual({ [cl]: 3 });
    });

    it('deleted rows and rows that leave the scope come back as `del`; others are not flooded', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      await s.api.push(g, cl, [
        m(1, 'addBook', 'b1', 'A'),
        m(2, 'addBook', 'b2', 'B'),
        m(3, 'addBook', 'b3', 'C'),
      ]);
      const [bg, bc] = [fresh('g'), fresh('c')];
      const bob = new ResourceCopy();
      await s.api.push(bg, bc, [m(1, 'addBook', 'x1', 'Bob')], { user: 'bob' });
      await bob.sync(s.api, bg, '/books', 'bob');
      const alice = new ResourceCopy();
      const one = new ResourceCopy();
      await alice.sync(s.api, g, '/books');
      await one.sync(s.api, g, '/books/b3');
      await s.api.push(g, cl, [m(4, 'removeBook', 'b1'), m(5, 'transferBook', 'b2', 'bob')]);
      await s.api.push(bg, bc, [m(2, 'setPages', 'x1', 3)], { user: 'bob' });
      const [next] = await alice.sync(s.api, g, '/books');
      expect(next.resources[0].patch).toEqual([
        { op: 'del', table: 'books', id: 'b1' },
        { op: 'del', table: 'books', id: 'b2' },
      ]);
      expect(alice.sorted().map((b) => b.id)).toEqual(['b3']);
      const [bobs] = await bob.sync(s.api, bg, '/books', 'bob');
      expect(bobs.resources[0].patch.map((op: any) => [op.op, op.row?.id ?? op.id])).toEqual([
        ['put', 'b2'],
        ['put', 'x1'],
      ]);
      await s.api.push(g, cl, [m(6, 'transferBook', 'b3', 'bob')]);
      const lost = await s.api.pull(g, [{ path: '/books/b3', cursor: one.cursor }]);
      expect(lost.status).toBe(403);
      expect(lost.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'resources[0].path' });
    });

    it('pulls several resources from one snapshot; literal patterns win over params', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      await s.api.push(g, cl, [m(1, 'addBook', 'b1', 'new'), m(2, 'addAuthor', 'a1', 'Le Guin')]);
      const { body } = await s.api.pull(g, [
        { path: '/library', cursor: null },
        { path: '/books/new', cursor: null },
        { path: '/books/missing', cursor: null },
      ]);
      // One push is one version: its rows come in (version, table, id) order, authors before books.
      expect(body.resources.map((r: any) => r.patch.map((op: any) => op.op + (op.table ?? '')))).toEqual([
        ['clear', 'putauthors', 'putbooks'],
        ['clear', 'putbooks'],
        ['clear'],
      ]);
      const unknown = await s.api.pull(g, [
        { path: '/books', cursor: null },
        { path: '/nope', cursor: null },
      ]);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({ code: 'UNKNOWN_RESOURCE', field: 'resources[1].path' });
    });

    it('an unusable cursor is answered with a full load, never an error', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      await s.api.push(g, cl, [m(1, 'addBook', 'b1', 'A')]);
      const copy = new ResourceCopy();
      await copy.sync(s.api, g, '/books');
      const foreign = new ResourceCopy();
      await foreign.sync(s.api, fresh('g'), '/books', 'bob');
      // A real cursor with its version moved back to 0: its seal no longer fits.
      const forged = copy.cursor!.replace(/^c1\.([^.]+)\.([^.]+)\.\d+\./, 'c1.$1.$2.0.');
      expect(forged).not.toBe(copy.cursor);
      const cursors = [
        'garbage',
        'c1.x.y.1',
        `${copy.cursor}0`,
        foreign.cursor!,
        'p1.a.b.1.1.books."x"',
        forged,
      ];
      for (const cursor of cursors) {
        const { status, body } = await s.api.pull(g, [{ path: '/books', cursor }]);
        expect(status).toBe(200);
        expect(body.resources[0].patch[0]).toEqual({ op: 'clear' });
        expect(body.resources[0].patch).toHaveLength(2);
      }
    });
  });
}
