/**
 * The simulator in CI: 500 seeded runs (3 clients, 20 steps each) must hold every invariant, and a
 * seed must replay exactly. `npm run sim -- --runs N --seed S` runs more, or replays one.
 */
import { describe, expect, it } from 'vitest';
import { report, simulate } from './simulator.js';

const RUNS = 500;

describe('simulator', () => {
  it(`${RUNS} seeded runs hold every invariant`, async () => {
    const failures: string[] = [];
    let requests = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const r = await simulate({ seed, steps: 20 });
      requests += r.requests;
      if (!r.ok) failures.push(report(r));
    }
    expect(failures.join('\n\n')).toBe('');
    // The runs did exercise the network: several requests per run on average.
    expect(requests).toBeGreaterThan(RUNS * 5);
  }, 180_000);

  it('a seed replays exactly: two runs give the same trace and the same server data', async () => {
    for (const seed of [7, 8, 9]) {
      const options = { seed, storeFaults: true, eviction: true, restore: true };
      const first = await simulate(options);
      const second = await simulate(options);
      expect(second.trace).toEqual(first.trace);
      expect(second.finalItems).toEqual(first.finalItems);
      expect(first.trace.length).toBeGreaterThan(30);
    }
  }, 60_000);

  it('different seeds give different runs', async () => {
    const traces = new Set<string>();
    for (const seed of [1, 2, 3, 4]) traces.add((await simulate({ seed, steps: 20 })).trace.join('\n'));
    expect(traces.size).toBe(4);
  }, 60_000);
});
