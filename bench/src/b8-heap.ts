/** B8: heap per row with the large set loaded and indexed (needs `--expose-gc`, which `npm run bench` passes). */
import { NODE_PEERS } from './b1-bootstrap.js';
import type { Config } from './config.js';
import { k } from './config.js';
import { makeBooks } from './data.js';
import { interleave, settle } from './harness.js';
import { fromStats, type Result } from './results.js';

export async function b8Heap(cfg: Config): Promise<Result[]> {
  const n = cfg.large;
  const books = makeBooks(n);
  const fixtures = new Map<string, unknown>();
  for (const peer of NODE_PEERS) fixtures.set(peer.name, await peer.prepare(books));
  const contenders = Object.fromEntries(
    NODE_PEERS.map((peer) => [
      peer.name,
      async () => {
        await settle();
        const before = process.memoryUsage().heapUsed;
        const instance = await peer.bootstrap(fixtures.get(peer.name));
        // Loaded and indexed: the indexed lookup and a full filter have run once.
        await instance.countPageCount(77);
        await instance.countFiltered();
        await settle();
        const bytes = (process.memoryUsage().heapUsed - before) / n;
        await instance.close();
        return bytes;
      },
    ]),
  );
  const stats = await interleave(contenders, Math.min(cfg.rounds, 3), cfg.log);
  const r = fromStats(
    {
      id: 'B8',
      name: `heap per row, ${k(n)} rows loaded and indexed`,
      unit: 'B/row',
      better: 'lower',
      goal: 600,
      goalText: '≤ 600 B/row, below TanStack DB',
      notes: { all: 'V8 heapUsed after gc(), minus before; the response text is held outside the measure' },
    },
    stats,
  );
  const tan = r.peers['tanstack-db'];
  r.met = r.sssync === null ? null : r.sssync <= 600 && tan !== null && tan !== undefined && r.sssync < tan;
  return [r];
}
