/**
 * The server suite's concurrency test: writers push at once while a client pulls in a loop; at the
 * end the client's rows must equal the database's. A cursor that skips a transaction which commits
 * after a later one (versions handed out before commit) fails it on Postgres and MariaDB.
 */
import { describe, expect, it } from 'vitest';
import type { SuiteState } from './server-suite.js';
import { Api, appHandler, databaseRows, fresh, ResourceCopy } from './test-app.js';

const WRITERS = 8;
const PUSHES = 12;
const PER_PUSH = 3;

export function concurrencyTests(s: SuiteState, name: string): void {
  describe('concurrency', () => {
    it(`${WRITERS} concurrent writers and a pulling client end with the same rows (${name})`, {
      timeout: 60_000,
    }, async () => {
      const api = new Api(appHandler(s.db, { limits: { pageSize: 7 } }));
      const seed = await api.push(
        fresh('g'),
        fresh('c'),
        [0, 1, 2, 3].map((i) => ({ id: i + 1, name: 'addBook', args: [`s${i}`, 'shared'] })),
      );
      expect(seed.status).toBe(200);
      let writing = true;
      const copy = new ResourceCopy();
      const group = fresh('g');
      let pulls = 0;
      const puller = (async () => {
        while (writing) {
          await copy.sync(api, group, '/books');
          pulls++;
        }
      })();
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(api, w)));
      writing = false;
      await puller;
      await copy.sync(api, group, '/books');
      const expected = (await databaseRows(s.db, 'books')).filter((b) => b.owner === 'alice');
      expect(expected.length).toBeGreaterThan(10);
      expect(copy.sorted()).toEqual(expected);
      expect(pulls).toBeGreaterThan(0);
    });
  });
}

/** One client pushing a mix of inserts, updates, deletes, scope moves and contended increments. */
async function writer(api: Api, w: number): Promise<void> {
  const [group, client] = [fresh('g'), fresh('c')];
  const mine: string[] = [];
  let id = 0;
  let seed = w * 7919 + 1;
  const random = (n: number) => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  for (let p = 0; p < PUSHES; p++) {
    const mutations = [];
    for (let j = 0; j < PER_PUSH; j++) {
      id++;
      const pick = mine.length === 0 ? 0 : random(6);
      const own = mine[random(Math.max(1, mine.length))] ?? 'none';
      const [name, args] =
        pick === 0 || pick === 1
          ? ['addBook', [`w${w}-${id}`, `T${id}`]]
          : pick === 2
            ? ['addPages', [`s${random(4)}`, 1]]
            : pick === 3
              ? ['setPages', [own, id]]
              : pick === 4
                ? ['removeBook', [own]]
                : ['transferBook', [own, random(2) === 0 ? 'bob' : 'alice']];
      if (name === 'addBook') mine.push(String(args[0]));
      mutations.push({ id, name, args });
    }
    const res = await api.push(group, client, mutations);
    expect(res.status).toBe(200);
  }
}
