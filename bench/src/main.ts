/**
 * `npm run bench [-- --quick] [-- --only=B1,B3]`: every benchmark, SSSync beside its peers, then the
 * table on stdout and bench/results/latest.json. Asserts nothing about speed: it exits 0 when every
 * benchmark ran (a peer that fails is reported as an empty cell), 1 when a benchmark itself failed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { b1Bootstrap } from './b1-bootstrap.js';
import { b3LiveQuery } from './b3-live-query.js';
import { b5Push } from './b5-push.js';
import { b6PullBytes } from './b6-pull-bytes.js';
import { b7ServerThroughput } from './b7-server-throughput.js';
import { b8Heap } from './b8-heap.js';
import { b9Bundle } from './b9-bundle.js';
import { b11Scaling } from './b11-scaling.js';
import { browserBenchmarks } from './browser/run.js';
import { type Config, config } from './config.js';
import { closeServers } from './peers/sssync.js';
import { type Result, table, withinGoal, writeJSON } from './results.js';

type Benchmark = (cfg: Config) => Promise<Result[]>;

const BENCHMARKS: Record<string, Benchmark> = {
  B1: b1Bootstrap,
  'B2 B4 B10': browserBenchmarks,
  B3: b3LiveQuery,
  B5: b5Push,
  B6: b6PullBytes,
  B7: b7ServerThroughput,
  B8: b8Heap,
  B9: b9Bundle,
  B11: b11Scaling,
};

const cfg = config(process.argv.slice(2));
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const started = Date.now();
const results: Result[] = [];
const failures: string[] = [];
for (const [ids, run] of Object.entries(BENCHMARKS)) {
  if (only && !ids.split(' ').some((id) => only.includes(id))) continue;
  cfg.log(`${ids} …`);
  const t0 = Date.now();
  try {
    for (const r of await run(cfg)) {
      // The goals are stated for the full sizes: a quick run reports none met or missed.
      r.met = cfg.quick ? null : r.met === undefined ? withinGoal(r) : r.met;
      results.push(r);
    }
  } catch (e) {
    failures.push(ids);
    cfg.log(`${ids} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  cfg.log(`${ids} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
await closeServers();

results.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
console.log(`\n${table(results)}\n`);
const file = new URL(`../results/${cfg.quick ? 'quick' : 'latest'}.json`, import.meta.url).pathname;
// With --only, the other benchmarks' rows of the last run stay.
const kept =
  only && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { results: Result[] }).results : [];
const ran = new Set(results.map((r) => r.id));
results.unshift(...kept.filter((r) => !ran.has(r.id)));
results.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
writeJSON(file, results, {
  mode: cfg.quick ? 'quick' : 'full',
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
  seconds: Math.round((Date.now() - started) / 1000),
});
console.log(`Wrote ${file} in ${Math.round((Date.now() - started) / 1000)} s.`);
if (failures.length > 0) {
  console.error(`Failed: ${failures.join(', ')}`);
  process.exitCode = 1;
}
// Clients and servers the peers leave behind (timers, channels) must not keep the run alive.
process.exit();
