/** PROTOCOL.md §5.3 and §11: what each test-mode mutator refuses, and that a refusal changes nothing. */
import type { PushResponse } from '../../protocol/push.js';
import { type Check, check, show } from '../check.js';
import { expectItems, fullLoad, item, readItem } from '../item-rows.js';
import { actor, type Call, push } from '../protocol-client.js';
import type { TestRun } from '../test-run.js';

/** Fails unless every result is an error with `code`. */
function expectCodes(response: PushResponse, calls: readonly Call[], code: string, what: string): void {
  const wrong = response.results.flatMap((r, i) =>
    !r.ok && r.error.code === code ? [] : [`${show(calls[i], 60)} → ${show(r, 100)}`],
  );
  check(wrong.length === 0, () => `${what}: expected ${code} for each, got ${wrong.slice(0, 3).join(' | ')}`);
}

async function failItem(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const failed = t.fresh('item');
  const next = t.fresh('item');
  const first = await push(t, a, 1, [['failItem', failed]], 'push failItem');
  expectCodes(first, [['failItem', failed]], 'MUTATOR_FAILED', 'push failItem');
  check(
    first.lastMutationIDs[a.client] === 1,
    `push failItem: lastMutationIDs is ${show(first.lastMutationIDs)}, expected 1 for the client`,
  );
  const second = await push(t, a, 2, [['putItem', next, 'after', 2]], 'push 2 after failItem');
  check(second.results[0]?.ok === true, `push 2 after failItem: ${show(second.results[0])}`);
  const rows = await fullLoad(t, a, '/items', 'pull /items');
  expectItems(rows.list, [item(next, a.user, 'after', 2)], "failItem's write must be rolled back: /items");
}

const UNKNOWN: readonly Call[] = [
  ['nope', 1],
  ['__proto__'],
  ['constructor'],
  ['toString'],
  ['hasOwnProperty', 'putItem'],
];

async function unknownMutators(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const response = await push(t, a, 1, UNKNOWN, 'push of unknown mutators');
  expectCodes(response, UNKNOWN, 'UNKNOWN_MUTATOR', 'push of unknown mutators');
  check(
    response.lastMutationIDs[a.client] === UNKNOWN.length,
    'the unknown mutators must still count as processed',
  );
}

async function badArguments(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const id = t.fresh('item');
  const calls: readonly Call[] = [
    ['putItem', 5, 'title', 1],
    ['putItem', '', 'title', 1],
    ['putItem', 'i'.repeat(65), 'title', 1],
    ['putItem', id, 'title'],
    ['putItem', id, 'title', '1'],
    ['putItem', id, 7, 1],
    ['putItem', id, 'title', 1, 'extra'],
    ['putItem', { id }, 'title', 1],
    ['incrementItem', id, null],
    ['deleteItem'],
    ['failItem', []],
    ['transferItem', id, ''],
  ];
  const response = await push(t, a, 1, calls, 'push of bad arguments');
  expectCodes(response, calls, 'INVALID_ARGUMENT', 'push of bad arguments');
  const rows = await fullLoad(t, a, '/items', 'pull /items');
  expectItems(rows.list, [], 'after refused mutations, /items');
}

async function anotherUsersItem(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const b = actor(t, t.user('b'));
  const id = t.fresh('item');
  await push(t, a, 1, [['putItem', id, "A's", 7]], 'A pushes putItem');
  const calls: readonly Call[] = [
    ['putItem', id, "B's now", 1],
    ['incrementItem', id, 1],
    ['deleteItem', id],
    ['transferItem', id, b.user],
  ];
  const response = await push(t, b, 1, calls, "B pushes on A's item");
  expectCodes(response, calls, 'FORBIDDEN', "B's mutations of A's item");
  const found = await readItem(t, a, id, 'A pulls the item');
  check(
    found?.owner === a.user && found.title === "A's" && found.n === 7,
    () => `A's item after B's refused mutations: ${show(found)}`,
  );
}

async function missingItem(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const calls: readonly Call[] = [
    ['incrementItem', t.fresh('item'), 1],
    ['transferItem', t.fresh('item'), t.user('b')],
  ];
  const response = await push(t, a, 1, calls, 'push on missing items');
  expectCodes(response, calls, 'MUTATOR_FAILED', 'incrementItem and transferItem of a missing item');
}

export const mutationChecks: readonly Check[] = [
  { name: 'mutations: failItem → MUTATOR_FAILED, rolled back, next id accepted', run: failItem },
  { name: 'mutations: nope, __proto__, constructor… → UNKNOWN_MUTATOR', run: unknownMutators },
  { name: 'mutations: bad arguments → INVALID_ARGUMENT, nothing written', run: badArguments },
  { name: "mutations: another user's item → FORBIDDEN, the item unchanged", run: anotherUsersItem },
  { name: 'mutations: a missing item → MUTATOR_FAILED', run: missingItem },
];
