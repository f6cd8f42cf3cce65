/** B1: cold bootstrap, from the text of one pull response with every row to the first query answered. */
import type { Config } from './config.js';
import { k } from './config.js';
import { FILTER_MIN, makeBooks } from './data.js';
import { interleave, now, settle } from './harness.js';
import type { Peer } from './peers/peer.js';
import { replicachePeer } from './peers/replicache.js';
import { rxdbPeer } from './peers/rxdb.js';
import { sssyncPeer } from './peers/sssync.js';
import { tanstackPeer } from './peers/tanstack-db.js';
import { fromStats, type Result } from './results.js';

export const NODE_PEERS: readonly Peer<any>[] = [sssyncPeer, replicachePeer, tanstackPeer, rxdbPeer];

export async function b1Bootstrap(cfg: Config): Promise<Result[]> {
  const n = cfg.large;
  const books = makeBooks(n);
  const expected = books.filter((b) => b.pageCount >= FILTER_MIN).length;
  const contenders = Object.fromEntries(
    await Promise.all(
      NODE_PEERS.map(async (peer) => {
        const fixture = await peer.prepare(books);
        const run = async () => {
          await settle();
          const t0 = now();
          const instance = await peer.bootstrap(fixture);
          const count = await instance.countFiltered();
          const ms = now() - t0;
          await instance.close();
          if (count !== expected) throw new Error(`${peer.name} found ${count} rows, not ${expected}`);
          return ms;
        };
        return [peer.name, run] as const;
      }),
    ),
  );
  const stats = await interleave(contenders, cfg.rounds, cfg.log);
  const result = fromStats(
    {
      id: 'B1',
      name: `cold bootstrap, ${k(n)} rows: one pull response → first query answered`,
      unit: 'ms',
      better: 'lower',
      goal: 800,
      goalText: '≤ 800 ms, ≥ 3× Replicache',
      notes: {
        sssync: 'memoryStore(); the response is the SQLite server’s real answer, captured once',
        replicache: "kvStore: 'mem'; the same rows as a v1 pull response",
        'tanstack-db': 'localOnlyCollectionOptions + BTree index on pageCount',
        rxdb: 'memory storage, bulkInsert',
        dexie: 'not run in Node (only fake-indexeddb there); see B2/B10 in Chromium',
      },
    },
    stats,
  );
  const rep = result.peers.replicache;
  result.met =
    result.sssync !== null && n >= 100_000
      ? result.sssync <= 800 && rep !== null && rep !== undefined && rep / result.sssync >= 3
      : null;
  return [result];
}
