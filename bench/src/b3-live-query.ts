/** B3: a live query's update after one write — filtered and sorted top-50 — at 1k and 100k rows. */
import { NODE_PEERS } from './b1-bootstrap.js';
import type { Config } from './config.js';
import { k } from './config.js';
import { makeBooks } from './data.js';
import { interleave, type Stats } from './harness.js';
import { timeLiveUpdates } from './live-update.js';
import type { Instance, LiveQueryKind } from './peers/peer.js';
import { fromStats, type Result } from './results.js';

const KINDS: Record<LiveQueryKind, string> = {
  filtered: 'filtered (pageCount ≥ 500)',
  top50: 'sorted top-50',
};

export async function b3LiveQuery(cfg: Config): Promise<Result[]> {
  const medians: Record<string, Record<number, Record<string, Stats | null>>> = { filtered: {}, top50: {} };
  const results: Result[] = [];
  for (const n of [cfg.small, cfg.large]) {
    const books = makeBooks(n);
    const instances: Record<string, Instance> = {};
    for (const peer of NODE_PEERS) instances[peer.name] = await peer.bootstrap(await peer.prepare(books));
    for (const kind of Object.keys(KINDS) as LiveQueryKind[]) {
      const contenders = Object.fromEntries(
        Object.entries(instances).map(([name, instance]) => [
          name,
          () => timeLiveUpdates(instance, kind, books, cfg.quick ? 30 : 100, cfg.quick ? 1_000 : 4_000),
        ]),
      );
      const stats = await interleave(contenders, cfg.rounds, cfg.log);
      medians[kind]![n] = stats;
      const r = fromStats(
        {
          id: 'B3',
          name: `live query update after one write, ${KINDS[kind]}, ${k(n)} rows`,
          unit: 'ms',
          better: 'lower',
          goal: 0.1,
          goalText: '≤ 0.1 ms p50, ahead of TanStack DB',
        },
        stats,
      );
      const tan = r.peers['tanstack-db'];
      r.met =
        r.sssync === null ? null : r.sssync <= 0.1 && tan !== null && tan !== undefined && r.sssync < tan;
      results.push(r);
    }
    for (const instance of Object.values(instances)) await instance.close();
  }
  for (const kind of Object.keys(KINDS) as LiveQueryKind[]) {
    const big = medians[kind]![cfg.large]!;
    const small = medians[kind]![cfg.small]!;
    const scale = (name: string) => {
      const a = big[name]?.median;
      const b = small[name]?.median;
      return a === undefined || b === undefined ? null : Number((a / b).toFixed(2));
    };
    const r: Result = {
      id: 'B3',
      name: `live query update, ${KINDS[kind]}: ${k(cfg.large)} / ${k(cfg.small)} rows`,
      unit: 'ratio',
      better: 'lower',
      sssync: scale('sssync'),
      peers: Object.fromEntries(
        NODE_PEERS.filter((p) => p.name !== 'sssync').map((p) => [p.name, scale(p.name)]),
      ),
      goal: 1.5,
      goalText: '100k/1k ≤ 1.5',
    };
    r.met = r.sssync === null ? null : r.sssync <= 1.5;
    results.push(r);
  }
  return results;
}
