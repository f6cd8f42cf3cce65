/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a random time in
 * [base·2ⁿ / 2, base·2ⁿ], capped — so many clients failing together don't retry together.
 */
export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
}

export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = opts.baseMs ?? 500;
  const max = opts.maxMs ?? 60_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
