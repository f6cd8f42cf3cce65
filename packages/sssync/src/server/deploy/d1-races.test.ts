/**
 * What only D1 needs, in workerd: pushes from several handlers (each its own `d1Database`, as in
 * separate isolates: no shared in-process lock) racing on one row, where only the batch's guard keeps
 * every increment; a cold Worker's first requests together; and D1's 100 bound parameters per
 * statement, which relationships and `in` lists over 150 values must stay under.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncHandler } from '../handler.js';
import { Api, fresh, ResourceCopy } from '../test-app.js';
import { startWorker, type TestWorker } from './miniflare.js';

const ISOLATES = 4;

/** `x-isolate: k` picks the k-th handler, each over its own `d1Database(env.DB)`. */
const isolatesWorker = `
  import { createSyncHandler } from 'sssync/server';
  import { d1Database } from 'sssync/server/d1';
  import { appOptions } from './packages/sssync/src/server/test-app.ts';
  const handlers = [];
  export default {
    fetch(request, env) {
      const k = Number(request.headers.get('x-isolate') ?? '0');
      handlers[k] ??= createSyncHandler(appOptions(d1Database(env.DB)));
      return handlers[k](request);
    },
  };
`;

describe('D1 without transactions', () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startWorker(isolatesWorker);
  }, 30_000);
  afterAll(() => worker?.dispose());

  const isolate = (k: number): Api => {
    const handler = (request: Request) => {
      const headers = new Headers(request.headers);
      headers.set('x-isolate', String(k));
      return worker.fetch(new Request(request, { headers }));
    };
    return new Api(handler as SyncHandler);
  };

  it(`pushes from ${ISOLATES} isolates racing on one row keep every increment, once`, {
    timeout: 40_000,
  }, async () => {
    const apis = Array.from({ length: ISOLATES }, (_, k) => isolate(k));
    const seed = await apis[0]!.push(fresh('g'), fresh('c'), [
      { id: 1, name: 'addBook', args: ['shared', 'Shared'] },
    ]);
    expect(seed.status).toBe(200);
    const PUSHES = 6;
    const statuses = await Promise.all(
      apis.map(async (api) => {
        const [group, client] = [fresh('g'), fresh('c')];
        const out: number[] = [];
        for (let p = 0; p < PUSHES; p++) {
          const mutations = [1, 2].map((k) => ({ id: p * 2 + k, name: 'addPages', args: ['shared', 1] }));
          out.push((await api.push(group, client, mutations)).status);
          // The same push again, as from a client whose answer was lost: nothing runs twice.
          if (p % 2 === 0) out.push((await api.push(group, client, mutations)).status);
        }
        return out;
      }),
    );
    expect(statuses.flat().filter((s) => s !== 200)).toEqual([]);
    const copy = new ResourceCopy();
    await copy.sync(apis[1]!, fresh('g'), '/books');
    expect(copy.rows.get('books/shared')?.pages).toBe(ISOLATES * PUSHES * 2);
  });

  it('a cold Worker answers its first requests arriving together (they share its preparation)', {
    timeout: 30_000,
  }, async () => {
    const cold = await startWorker(isolatesWorker);
    try {
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          new Api(cold.fetch as SyncHandler).push(`g${i}`, `c${i}`, [
            { id: 1, name: 'addBook', args: [`b${i}`, 'Cold'] },
          ]),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    } finally {
      await cold.dispose();
    }
  });
});

/** 150 people, each in a team of their own: a `related()` over them has 150 keys. */
const paramsWorker = `
  import { c, defineMutators, defineSchema, many, one, table } from 'sssync';
  import { createSyncHandler } from 'sssync/server';
  import { d1Database } from 'sssync/server/d1';
  const schema = defineSchema({
    version: 1,
    tables: {
      people: table({ id: c.string(), owner: c.string(), team: c.string() }),
      teams: table({ id: c.string(), owner: c.string(), size: c.number() }),
    },
    relationships: { people: { teamOf: one('teams', 'team') }, teams: { members: many('people', 'team') } },
  });
  const ids = Array.from({ length: 150 }, (_, i) => 'p' + i);
  const mutators = defineMutators(schema, {
    add: async (tx, i) => {
      await tx.teams.insert({ id: 't' + i, owner: tx.userID, size: 0 });
      await tx.people.insert({ id: 'p' + i, owner: tx.userID, team: 't' + i });
    },
    tally: async (tx) => {
      const people = await tx.query.people.related('teamOf').run();
      const picked = await tx.query.people.where('id', 'in', ids).run();
      const teams = await tx.query.teams.related('members').run();
      await tx.teams.upsert({ id: 'total', owner: tx.userID, size: people.filter((p) => p.teamOf).length });
      await tx.teams.upsert({ id: 'picked', owner: tx.userID, size: picked.length });
      await tx.teams.upsert({ id: 'full', owner: tx.userID, size: teams.filter((t) => t.members.length === 1).length });
    },
  });
  let handler;
  export default {
    fetch(request, env) {
      handler ??= createSyncHandler({
        schema, mutators, database: d1Database(env.DB),
        authenticate: () => ({ userID: 'ann' }),
        resources: {
          '/picked': ({ query }) => query.people.where('id', 'in', ids),
          '/teams': ({ query }) => query.teams,
        },
      });
      return handler(request);
    },
  };
`;

describe("D1's 100 bound parameters per statement", () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startWorker(paramsWorker);
  }, 30_000);
  afterAll(() => worker?.dispose());

  it('mutator queries with related() and in over 150 values, and a resource with such an in, work', {
    timeout: 30_000,
  }, async () => {
    const api = new Api(worker.fetch as SyncHandler);
    const added = await api.push(
      'g',
      'c',
      Array.from({ length: 150 }, (_, i) => ({ id: i + 1, name: 'add', args: [i] })),
    );
    expect(added.status).toBe(200);
    const tally = await api.push('g', 'c', [{ id: 151, name: 'tally', args: [] }]);
    expect(tally.body.results).toEqual([{ id: 151, ok: true }]);
    const picked = new ResourceCopy();
    await picked.sync(api, 'g', '/picked');
    expect(picked.rows.size).toBe(150);
    const teams = new ResourceCopy();
    await teams.sync(api, 'g', '/teams');
    const size = (id: string) => teams.rows.get(`teams/${id}`)?.size;
    expect([size('total'), size('picked'), size('full')]).toEqual([150, 150, 150]);
  });
});
