/**
 * The harness: runs contenders interleaved (a different order each round, so no engine always runs on
 * a cold or a warm JIT/GC), collects samples, and reduces them to median and p95.
 */

export interface Stats {
  readonly median: number;
  readonly p95: number;
  readonly n: number;
}

/** One measurement: a number, or several (per-operation timings) from one round. */
export type Sample = number | readonly number[];

/** A contender's round; `null` means the contender cannot do this benchmark (see `why`). */
export type Contender = (() => Promise<Sample>) | null;

export const now = (): number => performance.now();

export function stats(samples: readonly number[]): Stats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), n: sorted.length };
}

/** Runs every contender once per round, rotating the order; a contender that throws is reported and dropped. */
export async function interleave(
  contenders: Readonly<Record<string, Contender>>,
  rounds: number,
  log: (line: string) => void = () => {},
): Promise<Record<string, Stats | null>> {
  const names = Object.keys(contenders).filter((n) => contenders[n] !== null);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const failed = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      if (failed.has(name)) continue;
      try {
        const s = await contenders[name]!();
        samples[name]!.push(...(typeof s === 'number' ? [s] : s));
      } catch (e) {
        failed.add(name);
        log(`  ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    }
  }
  return Object.fromEntries(
    Object.keys(contenders).map((n) => [n, failed.has(n) ? null : stats(samples[n] ?? [])]),
  );
}

/** Lets timers, I/O and finalizers run, and collects garbage when `--expose-gc` is on. */
export async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 2; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 0));
  }
}
