/** B10 (in Chromium): writing the books durably into a fresh IndexedDB database. */
import { ENGINES } from './browser/engines.js';
import { makeBooks } from './data.js';
import { interleave, now, type Stats } from './harness.js';

/** Databases B10 wrote, by engine, that B2 reopens. */
export const written = new Map<string, string>();

export async function b10Persist(n: number, rounds: number): Promise<Record<string, Stats | null>> {
  const books = makeBooks(n);
  const contenders = Object.fromEntries(
    Object.entries(ENGINES).map(([engine, e]) => [
      engine,
      'canWrite' in e
        ? null
        : async () => {
            const name = `b10-${engine}-${Math.random().toString(36).slice(2)}`;
            const db = await e.create(name, books);
            const t0 = now();
            await db.write();
            const ms = now() - t0;
            await db.close();
            written.set(engine, name);
            return ms;
          },
    ]),
  );
  return interleave(contenders, rounds, (line) => console.log(line));
}
