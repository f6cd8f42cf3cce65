import { describe, expect, it } from 'vitest';
import { testModeOptions } from '../server/test-mode.js';
import { ReferenceServer, type ReferenceServerBugs } from '../testing/reference-server.js';
import type { CheckResult } from './check.js';
import { runConformance } from './run.js';

function run(bugs?: ReferenceServerBugs): Promise<CheckResult[]> {
  const server = new ReferenceServer(bugs === undefined ? testModeOptions() : { ...testModeOptions(), bugs });
  return runConformance({ url: 'http://reference.test/sync', fetch: server.fetch });
}

const failing = (results: readonly CheckResult[]) => results.filter((r) => !r.ok).map((r) => r.name);

describe('the conformance suite', () => {
  it('passes against the reference server in test mode', async () => {
    const results = await run();
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThan(35);
  });

  it('runs again against the same server with fresh ids', async () => {
    const server = new ReferenceServer(testModeOptions());
    const options = { url: 'http://reference.test/sync/', fetch: server.fetch };
    await runConformance(options);
    expect(failing(await runConformance(options))).toEqual([]);
  });

  it('catches a server that re-applies duplicate mutations', async () => {
    expect(failing(await run({ reapplyDuplicates: true }))).toEqual([
      'exactly once: the same push again → duplicates, nothing applied twice',
      'exactly once: ids 1–4 after 1–3 → three duplicates, one applied',
      'exactly once: one push sent five times concurrently → applied once',
    ]);
  });

  it('catches a server whose cursor skips a transaction that commits late', async () => {
    const results = await run({ skipConcurrentCommit: true });
    expect(failing(results)).toEqual([
      'concurrency: pulling during concurrent pushes ends with a fresh full load',
    ]);
    expect(results.find((r) => !r.ok)?.detail).toMatch(
      /the puller's rows differ from a fresh full load: missing/,
    );
  });

  it('catches a server that ignores authentication', async () => {
    expect(failing(await run({ ignoreAuth: true }))).toEqual([
      'auth: no Authorization header → 401 UNAUTHORIZED',
      'auth: Bearer nobody → 401 UNAUTHORIZED',
    ]);
  });
});
