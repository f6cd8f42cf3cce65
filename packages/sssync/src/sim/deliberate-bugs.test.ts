/**
 * The simulator can fail: each deliberate bug of `__faults` (util/test-faults.ts) is found within 200
 * seeded runs, the failing seed replays with the same trace, and with the bug off that seed passes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { __faults, type TestFault } from '../util/test-faults.js';
import { type SimResult, simulate } from './simulator.js';

const LIMIT = 200;

afterEach(() => {
  for (const key of Object.keys(__faults) as TestFault[]) __faults[key] = false;
});

async function firstFailure(): Promise<{ runs: number; result: SimResult } | undefined> {
  for (let seed = 1; seed <= LIMIT; seed++) {
    const result = await simulate({ seed, steps: 20 });
    if (!result.ok) return { runs: seed, result };
  }
  return undefined;
}

describe('deliberate bugs are found', () => {
  it.each<[TestFault, RegExp]>([
    ['serverSkipsExactlyOnce', /processed twice|applied out of order/],
    ['clientIgnoresLastMutationIDs', /queue is stuck|did not converge/],
    ['clientDropsOnRebase', /acknowledged locally but is lost/],
  ])(
    '%s',
    async (fault, expected) => {
      __faults[fault] = true;
      const found = await firstFailure();
      expect(found, `${fault} went unnoticed in ${LIMIT} runs`).toBeDefined();
      const { runs, result } = found!;
      console.log(
        `${fault}: found after ${runs} run(s), seed ${result.seed}: ${result.violation?.split('\n')[0]}`,
      );
      expect(result.violation).toMatch(expected);
      expect(result.tail.length).toBeGreaterThan(0);
      expect(result.tail.length).toBeLessThanOrEqual(30);
      const replay = await simulate({ seed: result.seed, steps: 20 });
      expect(replay.trace).toEqual(result.trace);
      __faults[fault] = false;
      expect((await simulate({ seed: result.seed, steps: 20 })).ok).toBe(true);
    },
    120_000,
  );
});
