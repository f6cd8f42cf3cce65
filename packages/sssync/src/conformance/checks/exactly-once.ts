/** PROTOCOL.md §5.2: every mutation runs exactly once and in order, however often it is pushed. */
import type { PushResponse } from '../../protocol/push.js';
import { type Check, check, show } from '../check.js';
import { readItem } from '../item-rows.js';
import {
  type Actor,
  actor,
  type Call,
  expectError,
  mutations,
  push,
  pushBody,
  pushMutations,
} from '../protocol-client.js';
import { bearer, type TestRun } from '../test-run.js';

/** Increments are not idempotent: any mutation run twice shows in `n`. */
const firstThree = (id: string): Call[] => [
  ['incrementItem', id, 10],
  ['incrementItem', id, 100],
  ['incrementItem', id, 1000],
];

function expectResults(
  response: PushResponse,
  expected: readonly ('ok' | 'duplicate')[],
  what: string,
): void {
  const got = response.results.map((r) =>
    r.ok ? (r.duplicate ? 'duplicate' : 'ok') : `error ${r.error.code}`,
  );
  check(show(got) === show(expected), `${what}: results ${show(got)}, expected ${show(expected)}`);
}

function expectLast(response: PushResponse, a: Actor, last: number, what: string): void {
  const got = response.lastMutationIDs[a.client];
  check(got === last, `${what}: lastMutationIDs[${a.client}] is ${got}, expected ${last}`);
}

async function expectN(t: TestRun, a: Actor, id: string, n: number, what: string): Promise<void> {
  const found = await readItem(t, a, id, `${what}: pull /items/${id}`);
  check(found?.n === n, () => `${what}: n is ${found?.n}, expected ${n}${found ? '' : ' (no such item)'}`);
}

/** An item with n = 1 made by another client of the user, then push 1–3 of a fresh client: n = 1111. */
async function setUp(t: TestRun): Promise<{ a: Actor; id: string }> {
  const a = actor(t, t.user('a'));
  const id = t.fresh('item');
  await push(
    t,
    actor(t, a.user),
    1,
    [['putItem', id, 'counted', 1]],
    'another client of the user pushes putItem',
  );
  const response = await push(t, a, 1, firstThree(id), 'push 1–3');
  expectResults(response, ['ok', 'ok', 'ok'], 'push 1–3');
  expectLast(response, a, 3, 'push 1–3');
  return { a, id };
}

async function firstPush(t: TestRun): Promise<void> {
  const { a, id } = await setUp(t);
  await expectN(t, a, id, 1111, 'after push 1–3');
}

async function samePushAgain(t: TestRun): Promise<void> {
  const { a, id } = await setUp(t);
  const again = await push(t, a, 1, firstThree(id), 'push 1–3 again');
  expectResults(again, ['duplicate', 'duplicate', 'duplicate'], 'push 1–3 again');
  expectLast(again, a, 3, 'push 1–3 again');
  await expectN(t, a, id, 1111, 'after push 1–3 twice');
}

async function longerPush(t: TestRun): Promise<void> {
  const { a, id } = await setUp(t);
  const longer = await push(
    t,
    a,
    1,
    [...firstThree(id), ['incrementItem', id, 10_000]],
    'push 1–4 after 1–3',
  );
  expectResults(longer, ['duplicate', 'duplicate', 'duplicate', 'ok'], 'push 1–4 after 1–3');
  expectLast(longer, a, 4, 'push 1–4 after 1–3');
  await expectN(t, a, id, 11_111, 'after push 1–3 then 1–4');
}

async function fiveConcurrentPushes(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const id = t.fresh('item');
  await push(t, a, 1, [['putItem', id, 'raced', 0]], 'push 1');
  const batch = mutations(2, [
    ['incrementItem', id, 1],
    ['incrementItem', id, 10],
  ]);
  const answers = await Promise.all(
    [1, 2, 3, 4, 5].map((i) => pushMutations(t, a, batch, `push 2–3, copy ${i} of 5 sent at once`)),
  );
  for (const m of batch) {
    const runs = answers.filter((r) =>
      r.results.some((x) => x.id === m.id && !('duplicate' in x && x.duplicate)),
    );
    check(
      runs.length === 1,
      `mutation ${m.id} was reported applied by ${runs.length} of the 5 answers, expected 1`,
    );
  }
  await expectN(t, a, id, 11, 'after five concurrent copies of push 2–3');
}

async function gap(t: TestRun): Promise<void> {
  const { a, id } = await setUp(t);
  await push(t, a, 4, [['incrementItem', id, 10_000]], 'push 4');
  const answer = await t.send('push', 'push 6 after 4', {
    json: pushBody(a, mutations(6, [['incrementItem', id, 5]])),
    auth: bearer(a.user),
  });
  expectError(answer, 409, 'MUTATION_ID_GAP', { field: 'mutations[0].id', lastMutationID: 4 });
  await expectN(t, a, id, 11_111, 'after the refused push 6');
}

async function skipInsidePush(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const id = t.fresh('item');
  const muts = mutations(1, [
    ['putItem', id, 'skipped', 1],
    ['incrementItem', id, 1],
  ]);
  const answer = await t.send('push', 'push of ids 1 and 3', {
    json: pushBody(a, [muts[0]!, { ...muts[1]!, id: 3 }]),
    auth: bearer(a.user),
  });
  expectError(answer, 400, 'BAD_REQUEST', { field: 'mutations[1].id' });
  const after = await push(t, a, 1, [['putItem', id, 'fresh', 5]], 'push 1 after the refused push');
  check(
    after.results[0]?.ok === true && !after.results[0].duplicate,
    `push 1 after the refused push got ${show(after.results[0])}: the refused push was partly applied`,
  );
}

export const exactlyOnceChecks: readonly Check[] = [
  { name: 'exactly once: mutations 1–3 are applied', run: firstPush },
  { name: 'exactly once: the same push again → duplicates, nothing applied twice', run: samePushAgain },
  { name: 'exactly once: ids 1–4 after 1–3 → three duplicates, one applied', run: longerPush },
  { name: 'exactly once: one push sent five times concurrently → applied once', run: fiveConcurrentPushes },
  { name: 'exactly once: a gap → 409 MUTATION_ID_GAP (lastMutationID 4)', run: gap },
  { name: 'exactly once: ids that skip inside a push → 400, nothing applied', run: skipInsidePush },
];
