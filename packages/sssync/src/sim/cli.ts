/**
 * `npm run sim -- --runs N --seed S [--steps K] [--clients C] [--bug a|b|c] [--store-faults] [--eviction] [--restore]
 * [--trace]`: runs seeds S, S+1, …, S+N−1 (S random by default) and prints each failure's seed and
 * last events; `--seed S --runs 1` replays a run exactly. Exits 1 if any run failed.
 */
import { __faults } from '../util/test-faults.js';
import { report, type SimOptions, simulate } from './simulator.js';

const BUGS = {
  a: 'serverSkipsExactlyOnce',
  b: 'clientIgnoresLastMutationIDs',
  c: 'clientDropsOnRebase',
} as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const runs = Number(arg('runs') ?? 100);
const first = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
const bug = arg('bug') as keyof typeof BUGS | undefined;
if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(first) || (bug && !BUGS[bug])) {
  console.error(
    'usage: npm run sim -- [--runs N] [--seed S] [--steps K] [--clients C] [--bug a|b|c] [--store-faults] [--eviction] [--restore] [--trace]',
  );
  process.exit(2);
}
if (bug) __faults[BUGS[bug]] = true;

const options: Omit<SimOptions, 'seed'> = {
  ...(arg('steps') ? { steps: Number(arg('steps')) } : {}),
  ...(arg('clients') ? { clients: Number(arg('clients')) } : {}),
  storeFaults: flag('store-faults'),
  eviction: flag('eviction'),
  restore: flag('restore'),
};
const started = performance.now();
let failed = 0;
let requests = 0;
for (let i = 0; i < runs; i++) {
  const result = await simulate({ ...options, seed: first + i });
  requests += result.requests;
  if (flag('trace')) console.log(result.trace.join('\n'));
  if (!result.ok) {
    failed++;
    console.log(report(result));
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `${runs} runs (seeds ${first}…${first + runs - 1}${bug ? `, bug ${bug}` : ''}): ${failed} failed, ` +
    `${requests} requests, ${seconds.toFixed(1)} s`,
);
process.exit(failed > 0 ? 1 : 0);
