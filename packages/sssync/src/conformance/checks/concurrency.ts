/**
 * PROTOCOL.md §6.5 "Cursors never skip": pullers loop while several clients of two users push at once;
 * then each puller's rows must equal a fresh full load. A cursor that is "the highest change number
 * seen" loses the change of a transaction that took a lower number and committed after the pull.
 */
import type { ResourcePatch } from '../../protocol/pull.js';
import { type Check, check, fail } from '../check.js';
import { fullLoad, type Item, ItemRows, item, itemDiff, load } from '../item-rows.js';
import { type Actor, actor, pull, push } from '../protocol-client.js';
import type { TestRun } from '../test-run.js';

const PUSHERS_PER_USER = 3;
const PUSHES_PER_PUSHER = 8;

/** Fresh items, one or two per push, so every change is the last one to its row and a skip shows. */
async function pusher(t: TestRun, a: Actor, made: Item[]): Promise<void> {
  let id = 1;
  for (let i = 0; i < PUSHES_PER_PUSHER; i++) {
    const batch = Array.from({ length: 1 + (i % 2) }, (_, k) => item(t.fresh('item'), a.user, `p${i}`, k));
    const response = await push(
      t,
      a,
      id,
      batch.map((x) => ['putItem', x.id, x.title, x.n] as const),
      `concurrent push ${i + 1}`,
    );
    const refused = response.results.find((r) => !r.ok);
    if (refused) fail(`concurrent push ${i + 1}: a putItem was refused: ${JSON.stringify(refused)}`);
    made.push(...batch);
    id += batch.length;
  }
}

/** Pulls `/items` in a loop while `busy()`, then once more to the end. */
async function puller(t: TestRun, a: Actor, busy: () => boolean): Promise<{ rows: ItemRows; pulls: number }> {
  const rows = new ItemRows();
  let cursor: string | null = null;
  let pulls = 0;
  while (busy() || pulls === 0) {
    const page: ResourcePatch = (await pull(t, a, [{ path: '/items', cursor }], 'pull during the pushes'))
      .resources[0]!;
    rows.apply(page.patch);
    cursor = page.cursor;
    pulls++;
  }
  const end = await load(t, a, '/items', cursor, rows, 'pull after the pushes');
  return { rows, pulls: pulls + end.pages.length };
}

async function noSkippedCommit(t: TestRun): Promise<void> {
  const users = [t.user('c'), t.user('d')];
  let pushing = true;
  const made = users.map(() => [] as Item[]);
  // Settle everything before failing, so that no request outlives the check.
  const pulling = Promise.allSettled(users.map((user) => puller(t, actor(t, user), () => pushing)));
  const pushed = await Promise.allSettled(
    users.flatMap((user, u) =>
      Array.from({ length: PUSHERS_PER_USER }, () => pusher(t, actor(t, user), made[u]!)),
    ),
  );
  pushing = false;
  const settled = await pulling;
  const failure = [...pushed, ...settled].find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  const pulled = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  for (const [u, user] of users.entries()) {
    const fresh = (await fullLoad(t, actor(t, user), '/items', 'a fresh full load')).list;
    const lost = itemDiff(fresh, made[u]!);
    check(lost === '', `${user}: a fresh full load after the pushes is wrong: ${lost}`);
    const { rows, pulls } = pulled[u]!;
    const skipped = itemDiff(rows.list, fresh);
    check(
      skipped === '',
      `${user}: after ${pulls} pulls during ${PUSHERS_PER_USER * users.length} concurrent pushers, ` +
        `the puller's rows differ from a fresh full load: ${skipped} — a cursor skipped a change committed after it`,
    );
  }
}

export const concurrencyChecks: readonly Check[] = [
  { name: 'concurrency: pulling during concurrent pushes ends with a fresh full load', run: noSkippedCommit },
];
