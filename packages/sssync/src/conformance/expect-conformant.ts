/** For tests: run the whole conformance suite against a server and expect every check to pass. */
import { expect } from 'vitest';
import type { CheckResult } from './check.js';
import { type ConformanceOptions, runConformance } from './run.js';

export async function expectConformant(options: ConformanceOptions): Promise<CheckResult[]> {
  const results = await runConformance(options);
  expect(results.filter((r) => !r.ok)).toEqual([]);
  // The whole suite ran (not a run cut short after a few checks).
  expect(results.length).toBeGreaterThan(35);
  return results;
}
