/**
 * B11: scaling — the per-operation cost of B3's live updates and of an indexed query at the huge size
 * (1M rows) over the same at 1k. One engine at a time (a million rows each does not fit interleaved).
 */
import type { Config } from './config.js';
import { k } from './config.js';
import { type Book, makeBooks } from './data.js';
import { now, settle, stats } from './harness.js';
import { timeLiveUpdates } from './live-update.js';
import type { Instance } from './peers/peer.js';
import { rxdbPeer } from './peers/rxdb.js';
import { loadedClient } from './peers/sssync.js';
import { tanstackPeer } from './peers/tanstack-db.js';
import type { Result } from './results.js';

type Op = 'indexed' | 'filtered' | 'top50';

const ENGINES: Record<string, (books: readonly Book[]) => Promise<Instance>> = {
  sssync: loadedClient,
  'tanstack-db': async (books) => tanstackPeer.bootstrap(await tanstackPeer.prepare(books)),
  rxdb: async (books) => rxdbPeer.bootstrap(await rxdbPeer.prepare(books)),
};

/** A pageCount no generated row has, given to one row so the indexed query finds exactly one at any size. */
const UNIQUE = 4_242_424;

async function measure(open: (books: readonly Book[]) => Promise<Instance>, n: number, cfg: Config) {
  const books = makeBooks(n);
  const instance = await open(books);
  const out: Record<Op, number | null> = { indexed: null, filtered: null, top50: null };
  try {
    await instance.setPageCount(books[n >> 1]!, UNIQUE);
    const times: number[] = [];
    for (let i = 0; i < (cfg.quick ? 50 : 200); i++) {
      const t0 = now();
      const found = await instance.countPageCount(UNIQUE);
      times.push(now() - t0);
      if (found !== 1) throw new Error(`the indexed query found ${found} rows, not 1`);
    }
    out.indexed = stats(times)!.median;
    for (const kind of ['filtered', 'top50'] as const) {
      const samples = await timeLiveUpdates(
        instance,
        kind,
        books,
        cfg.quick ? 30 : 100,
        cfg.quick ? 1_000 : 10_000,
      );
      out[kind] = stats(samples)!.median;
    }
  } finally {
    await instance.close();
    await settle();
  }
  return out;
}

export async function b11Scaling(cfg: Config): Promise<Result[]> {
  const per: Record<string, { small: Record<Op, number | null>; huge: Record<Op, number | null> } | null> =
    {};
  for (const [name, open] of Object.entries(ENGINES)) {
    try {
      const small = await measure(open, cfg.small, cfg);
      const huge = await measure(open, cfg.huge, cfg);
      per[name] = { small, huge };
      cfg.log(`  B11 ${name}: ${JSON.stringify(per[name])}`);
    } catch (e) {
      cfg.log(`  B11 ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
      per[name] = null;
    }
  }
  const names: Record<Op, string> = {
    indexed: 'indexed query (pageCount = x, 1 row)',
    filtered: 'live update, filtered',
    top50: 'live update, sorted top-50',
  };
  return (Object.keys(names) as Op[]).map((op) => {
    const ratioOf = (name: string): number | null => {
      const m = per[name];
      const a = m?.huge[op];
      const b = m?.small[op];
      return a == null || b == null || b === 0 ? null : Number((a / b).toFixed(2));
    };
    const value = ratioOf('sssync');
    const abs = (name: string) => {
      const m = per[name];
      return m
        ? `${m.small[op]?.toPrecision(3)} ms at ${k(cfg.small)}, ${m.huge[op]?.toPrecision(3)} ms at ${k(cfg.huge)}`
        : 'failed';
    };
    return {
      id: 'B11',
      name: `scaling, ${names[op]}: per-op cost ${k(cfg.huge)} / ${k(cfg.small)} rows`,
      unit: 'ratio',
      better: 'lower',
      sssync: value,
      peers: { replicache: null, 'tanstack-db': ratioOf('tanstack-db'), rxdb: ratioOf('rxdb'), dexie: null },
      goal: 2,
      goalText: '≤ 2×',
      met: value === null ? null : value <= 2,
      notes: {
        sssync: abs('sssync'),
        'tanstack-db': abs('tanstack-db'),
        rxdb: abs('rxdb'),
        replicache:
          'left out: every query scans all rows (no numeric secondary index), so 1M rows is only slower',
      },
    } satisfies Result;
  });
}
