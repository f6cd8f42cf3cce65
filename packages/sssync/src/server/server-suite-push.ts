/** The server suite's push tests: exactly once, results, ownership, validation. */
import { describe, expect, it } from 'vitest';
import type { SuiteState } from './server-suite.js';
import { databaseRows, fresh, ResourceCopy } from './test-app.js';

const m = (id: number, name: string, ...args: unknown[]) => ({ id, name, args });

export function pushTests(s: SuiteState): void {
  describe('push', () => {
    it('applies mutations and a pull brings their rows and lastMutationIDs', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      const pushed = await s.api.push(g, cl, [m(1, 'addBook', 'b1', 'Dune'), m(2, 'addPages', 'b1', 412)]);
      expect(pushed).toEqual({
        status: 200,
        body: {
          protocolVersion: 1,
          results: [
            { id: 1, ok: true },
            { id: 2, ok: true },
          ],
          lastMutationIDs: { [cl]: 2 },
        },
      });
      const { status, body } = await s.api.pull(g, [{ path: '/books', cursor: null }]);
      expect(status).toBe(200);
      expect(body.lastMutationIDs).toEqual({ [cl]: 2 });
      expect(body.resources).toEqual([
        {
          path: '/books',
          cursor: expect.any(String),
          more: false,
          patch: [
            { op: 'clear' },
            {
              op: 'put',
              table: 'books',
              row: {
                id: 'b1',
                owner: 'alice',
                title: 'Dune',
                pages: 412,
                done: false,
                tags: null,
                published: null,
              },
            },
          ],
        },
      ]);
    });

    it('stores every column kind and gives it back unchanged', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      const book = {
        id: 'ü-😀',
        owner: 'alice',
        title: 'Ünïcode 😀',
        pages: 12.5,
        done: true,
        tags: ['a', { nested: [1, null, 'x'] }],
        published: '2026-01-01T08:30:00.000Z',
      };
      expect((await s.api.push(g, cl, [m(1, 'putBook', book)])).body.results).toEqual([{ id: 1, ok: true }]);
      const copy = new ResourceCopy();
      await copy.sync(s.api, g, '/books');
      expect(copy.sorted()).toEqual([book]);
    });

    it('exactly once: a repeated push answers duplicates and applies nothing twice', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      const batch = [m(1, 'addBook', 'b1', 'T'), m(2, 'addPages', 'b1', 10), m(3, 'addPages', 'b1', 5)];
      expect((await s.api.push(g, cl, batch)).body.results.map((r: any) => r.ok)).toEqual([true, true, true]);
      const again = await s.api.push(g, cl, batch);
      expect(again.body.results).toEqual([1, 2, 3].map((id) => ({ id, ok: true, duplicate: true })));
      expect(again.body.lastMutationIDs).toEqual({ [cl]: 3 });
      const longer = await s.api.push(g, cl, [...batch, m(4, 'addPages', 'b1', 1)]);
      expect(longer.body.results.map((r: any) => r.duplicate ?? false)).toEqual([true, true, true, false]);
      expect((await databaseRows(s.db, 'books'))[0]).toMatchObject({ id: 'b1', pages: 16 });
    });

    it('exactly once under a race: the same push sent five times at once applies once', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      await s.api.push(g, cl, [m(1, 'addBook', 'b1', 'T')]);
      const batch = [m(2, 'addPages', 'b1', 1), m(3, 'addPages', 'b1', 10)];
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => s.api.push(g, cl, batch)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect((await databaseRows(s.db, 'books'))[0]).toMatchObject({ pages: 11 });
      const applied = answers.flatMap((a) => a.body.results).filter((r: any) => !r.duplicate);
      expect(applied.map((r: any) => r.id).sort()).toEqual([2, 3]);
    });

    it('a gap is refused with 409 MUTATION_ID_GAP and nothing is applied', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      await s.api.push(g, cl, [m(1, 'addBook', 'b1', 'T')]);
      const gap = await s.api.push(g, cl, [m(3, 'addPages', 'b1', 1), m(4, 'addPages', 'b1', 1)]);
      expect(gap.status).toBe(409);
      expect(gap.body.error).toMatchObject({
        code: 'MUTATION_ID_GAP',
        field: 'mutations[0].id',
        lastMutationID: 1,
      });
      const fromNew = await s.api.push(g, fresh('c'), [m(2, 'addBook', 'b2', 'T')]);
      expect(fromNew.body.error).toMatchObject({ code: 'MUTATION_ID_GAP', lastMutationID: 0 });
      expect((await databaseRows(s.db, 'books')).map((b) => b.pages)).toEqual([0]);
    });

    it('a failing mutator is rolled back, its id still advances, and its message leaks nothing', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      const res = await s.api.push(g, cl, [
        m(1, 'failing', 'f1'),
        m(2, 'refuse'),
        m(3, 'unawaited', 'u1'),
        m(4, 'addBook', 'b1', 'T'),
      ]);
      expect(res.body.results).toEqual([
        {
          id: 1,
          ok: false,
          error: { code: 'MUTATOR_FAILED', message: 'The mutation failed on the server.' },
        },
        { id: 2, ok: false, error: { code: 'FORBIDDEN', message: 'You may not do this.' } },
        { id: 3, ok: false, error: { code: 'DUPLICATE_ID', message: expect.stringContaining('exists') } },
        { id: 4, ok: true },
      ]);
      expect(res.body.lastMutationIDs).toEqual({ [cl]: 4 });
      expect((await databaseRows(s.db, 'books')).map((b) => b.id)).toEqual(['b1']);
      expect(JSON.stringify(res.body)).not.toContain('secret');
    });

    it('server overrides decide; server-only mutators run; the server tx knows user and place', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      const res = await s.api.push(g, cl, [
        m(1, 'addBook', 'b1', 'Title'),
        m(2, 'renameBook', 'b1', '!bad'),
        m(3, 'serverOnly', 'b1'),
        m(4, 'countMine', 'a1'),
      ]);
      expect(res.body.results.map((r: any) => r.error?.code ?? 'ok')).toEqual([
        'ok',
        'MUTATOR_FAILED',
        'ok',
        'ok',
      ]);
      const bob = await s.api.push(fresh('g'), fresh('c'), [m(1, 'renameBook', 'b1', 'Mine')], {
        user: 'bob',
      });
      expect(bob.body.results[0].error).toEqual({
        code: 'FORBIDDEN',
        message: 'Only the owner may rename it.',
      });
      expect(await databaseRows(s.db, 'books')).toMatchObject([{ id: 'b1', title: 'set by the server' }]);
      // countMine ran tx.query on the server: no book's title starts with T any more.
      expect(await databaseRows(s.db, 'authors')).toEqual([
        { id: 'a1', name: 'server:server:alice', rank: 0 },
      ]);
    });

    it('queries in mutators follow relationships on the server', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      const res = await s.api.push(g, cl, [
        m(1, 'addAuthor', 'alice', 'Alice'),
        m(2, 'addBook', 'b1', 'A'),
        m(3, 'addBook', 'b2', 'B'),
        m(4, 'setPages', 'b2', 5),
        m(5, 'addBook', 'b3', 'C'),
        m(6, 'setPages', 'b3', 9),
        m(7, 'tally', 'alice'),
      ]);
      expect(res.body.results.every((r: any) => r.ok)).toBe(true);
      expect(await databaseRows(s.db, 'authors')).toEqual([{ id: 'alice', name: 'Alice!', rank: 2 }]);
    });

    it('unknown mutators, inherited names included, are UNKNOWN_MUTATOR results', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      const names = ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];
      const res = await s.api.push(
        g,
        cl,
        names.map((n, i) => m(i + 1, n)),
      );
      expect(res.body.results.map((r: any) => r.error.code)).toEqual(names.map(() => 'UNKNOWN_MUTATOR'));
      expect(res.body.lastMutationIDs).toEqual({ [cl]: 5 });
    });

    it('arguments are validated and rows checked against the schema (no mass assignment)', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      const res = await s.api.push(g, cl, [
        m(1, 'addBook', 'b1', 'T'),
        m(2, 'validated', 'b1', 0),
        m(3, 'putBook', { id: 'b2', title: 'x', owner: 'alice', isAdmin: true }),
        m(4, 'putBook', { id: 'b3', title: 5, owner: 'alice' }),
        m(5, 'setPages', 'zz', 3),
        m(6, 'setPages', 42, 3),
        m(7, 'addBook', 'b1', 'again'),
      ]);
      expect(res.body.results.map((r: any) => [r.error?.code ?? 'ok', r.error?.field])).toEqual([
        ['ok', undefined],
        ['INVALID_ARGUMENT', 'args[1]'],
        ['INVALID_ARGUMENT', undefined],
        ['INVALID_ARGUMENT', undefined],
        ['NOT_FOUND', undefined],
        ['NOT_FOUND', undefined],
        ['DUPLICATE_ID', undefined],
      ]);
      expect((await databaseRows(s.db, 'books')).map((b) => b.id)).toEqual(['b1']);
    });

    it('a client group belongs to its first user; a client to its first group', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      await s.api.push(g, cl, [m(1, 'addBook', 'b1', 'T')]);
      const push = await s.api.push(g, fresh('c'), [], { user: 'bob' });
      expect(push.status).toBe(403);
      expect(push.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'clientGroupID' });
      const pull = await s.api.pull(g, [{ path: '/books', cursor: null }], { user: 'bob' });
      expect(pull.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'clientGroupID' });
      const takeover = await s.api.push(fresh('g'), cl, [m(2, 'addPages', 'b1', 5)]);
      expect(takeover.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'clientID' });
      expect((await databaseRows(s.db, 'books'))[0]).toMatchObject({ pages: 0 });
    });
  });
}
