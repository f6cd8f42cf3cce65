/** The server suite's migration tests: tables created from the schema, then migrated as it grows. */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { defineMutators } from '../mutation/mutators.js';
import { c, defineSchema, table } from '../schema/index.js';
import { createSyncHandler } from './handler.js';
import type { SuiteState } from './server-suite.js';
import { Api, appOptions, fresh, ResourceCopy, schema } from './test-app.js';

const m = (id: number, name: string, ...args: unknown[]) => ({ id, name, args });

const books = schema.tables.books.columns;

const schemaV2 = defineSchema({
  version: 2,
  tables: {
    books: table({ ...books, rating: c.number().default(3), note: c.string().optional() }),
    authors: schema.tables.authors,
    shelves: table({ id: c.string(), name: c.string() }),
  },
});

const mutatorsV2 = defineMutators(schemaV2, {
  addShelf: (tx, id: string, name: string) => tx.shelves.insert({ id, name }),
  rate: (tx, id: string, rating: number) => tx.books.update({ id, rating }),
});

function handlerV2(s: SuiteState, extra: Record<string, unknown> = {}) {
  return createSyncHandler({
    ...(appOptions(s.db) as any),
    schema: schemaV2,
    mutators: mutatorsV2,
    serverMutators: undefined,
    minSchemaVersion: 1,
    resources: {
      '/books': ({ userID, query }: any) => query.books.where('owner', '=', userID),
      '/shelves': ({ query }: any) => query.shelves,
    },
    ...extra,
  });
}

export function migrationTests(s: SuiteState): void {
  describe('schema migrations', () => {
    it('v1 → v2 adds a new column (existing rows get its default) and a new table', async () => {
      const [g, cl] = [fresh('g'), fresh('c')];
      await s.api.push(g, cl, [m(1, 'addBook', 'b1', 'A')]);
      const v2 = handlerV2(s);
      await v2.prepare();
      const api = new Api(v2);
      const push = await api.push(g, cl, [m(2, 'addShelf', 's1', 'Top'), m(3, 'rate', 'b1', 5)], {
        schemaVersion: 2,
      });
      expect(push.body.results).toEqual([
        { id: 2, ok: true },
        { id: 3, ok: true },
      ]);
      await api.push(g, cl, [m(4, 'rate', 'b1', 4)], { schemaVersion: 1 });
      const { body } = await api.pull(
        g,
        [
          { path: '/books', cursor: null },
          { path: '/shelves', cursor: null },
        ],
        { schemaVersion: 2 },
      );
      expect(body.resources[0].patch[1].row).toMatchObject({ id: 'b1', rating: 4, note: null });
      expect(body.resources[1].patch[1].row).toEqual({ id: 's1', name: 'Top' });
      // The v1 server still runs beside it during the deploy (what it knows is unchanged)…
      await s.handler.prepare();
      const old = await s.api.push(g, fresh('c'), [m(1, 'addBook', 'b2', 'B')]);
      expect(old.body.results).toEqual([{ id: 1, ok: true }]);
      // …and the v2 server reads the row it wrote: the new column has its default.
      const copy = new ResourceCopy();
      await copy.sync(api, g, '/books');
      expect(copy.sorted().map((b) => [b.id, b.rating])).toEqual([
        ['b1', 4],
        ['b2', 3],
      ]);
    });

    it('a destructive change is refused with MIGRATION_FAILED unless a migrate hook makes it', async () => {
      await s.handler.prepare();
      const { done: _dropped, ...kept } = books;
      const dropped = defineSchema({
        version: 2,
        tables: { books: table(kept), authors: schema.tables.authors },
      });
      const options = {
        ...(appOptions(s.db) as any),
        schema: dropped,
        mutators: defineMutators(dropped, {}),
      };
      const refused = createSyncHandler(options);
      await expect(refused.prepare()).rejects.toMatchObject({
        code: 'MIGRATION_FAILED',
        message: expect.stringMatching(/books\.done.*dropped[\s\S]*migrate/),
      });
      const answer = await new Api(refused).pull(fresh('g'), [], { schemaVersion: 2 });
      expect(answer).toEqual({
        status: 500,
        body: { error: { code: 'SERVER_ERROR', message: 'The server failed.' } },
      });
      const calls: number[][] = [];
      const migrated = createSyncHandler({
        ...options,
        migrate: async (db: any, from: number, to: number) => {
          calls.push([from, to]);
          await sql`alter table books drop column done`.execute(db);
        },
      });
      await migrated.prepare();
      expect(calls).toEqual([[1, 2]]);
    });

    it('a schema changed without raising its version is refused', async () => {
      await s.handler.prepare();
      const changed = defineSchema({
        version: 1,
        tables: { books: table({ ...books, extra: c.string().optional() }), authors: schema.tables.authors },
      });
      const handler = createSyncHandler({
        ...(appOptions(s.db) as any),
        schema: changed,
        mutators: defineMutators(changed, {}),
      });
      await expect(handler.prepare()).rejects.toMatchObject({
        message: expect.stringContaining('Raise `version`'),
      });
    });
  });
}
