/** Timing one write until a live query's subscriber hears of it: shared by B3 and B11. */
import type { Book } from './data.js';
import { now } from './harness.js';
import type { Instance, LiveQueryKind } from './peers/peer.js';

let serial = 0;

/**
 * `ops` writes, one at a time, each timed from the write call to the subscriber's call. Each write
 * gives a row a new pageCount that changes the result: ≥ FILTER_MIN for the filtered query (the row
 * enters or changes), above every other for the top-50 (the row enters at the top). Stops early after
 * `budgetMs` so that an engine that rescans everything still finishes.
 */
export async function timeLiveUpdates(
  instance: Instance,
  kind: LiveQueryKind,
  books: readonly Book[],
  ops: number,
  budgetMs = 5_000,
): Promise<number[]> {
  let heard: () => void = () => {};
  let next = new Promise<void>((resolve) => {
    heard = resolve;
  });
  const stop = instance.watch(kind, () => heard());
  await next;
  const samples: number[] = [];
  const started = now();
  try {
    for (let i = 0; i < ops && (i < 5 || now() - started < budgetMs); i++) {
      serial++;
      const book = books[(serial * 7919) % books.length]!;
      const pageCount = kind === 'filtered' ? 1_000 + serial : 1_000_000 + serial;
      next = new Promise<void>((resolve) => {
        heard = resolve;
      });
      const t0 = now();
      void instance.setPageCount(book, pageCount);
      await next;
      samples.push(now() - t0);
    }
  } finally {
    stop();
  }
  return samples;
}
