/** PROTOCOL.md §6.6: a pull's lastMutationIDs and its patches come from one snapshot. */
import { type Check, check, show } from '../check.js';
import { ItemRows, item, load } from '../item-rows.js';
import { actor, push } from '../protocol-client.js';
import type { TestRun } from '../test-run.js';

async function countsAndShows(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const reader = actor(t, a.user, a.group);
  const id = t.fresh('item');
  const pushed = await push(t, a, 1, [['putItem', id, 'seen', 7]], 'push putItem');
  check(
    pushed.lastMutationIDs[a.client] === 1,
    `the push answered lastMutationIDs ${show(pushed.lastMutationIDs)}`,
  );
  const rows = new ItemRows();
  const first = await load(t, reader, '/items', null, rows, 'another client of the group pulls');
  check(
    (first.last.lastMutationIDs[a.client] ?? 0) >= 1,
    `the pull's lastMutationIDs ${show(first.last.lastMutationIDs)} do not count ${a.client}'s mutation 1`,
  );
  check(rows.get(id)?.n === 7, () => `the pull counts mutation 1 but its patch gives ${show(rows.get(id))}`);
  await push(t, a, 2, [['incrementItem', id, 1]], 'push incrementItem');
  const second = await load(t, a, '/items', first.cursor, rows, 'incremental pull');
  check(
    second.last.lastMutationIDs[a.client] === 2,
    `the pull's lastMutationIDs ${show(second.last.lastMutationIDs)}: expected ${a.client} at 2`,
  );
  const expected = item(id, a.user, 'seen', 8);
  check(
    rows.get(id)?.n === 8,
    () => `the pull counts mutation 2 but gives ${show(rows.get(id))}, not ${show(expected)}`,
  );
}

async function everyPushingClient(t: TestRun): Promise<void> {
  const one = actor(t, t.user('a'));
  const two = actor(t, one.user, one.group);
  const three = actor(t, one.user, one.group);
  await push(t, one, 1, [['putItem', t.fresh('item'), 't', 1]], 'client 1 pushes 1');
  await push(
    t,
    two,
    1,
    [
      ['putItem', t.fresh('item'), 't', 1],
      ['deleteItem', t.fresh('item')],
    ],
    'client 2 pushes 1–2',
  );
  const rows = new ItemRows();
  const { last } = await load(t, three, '/items', null, rows, 'client 3 of the group pulls');
  const ids = last.lastMutationIDs;
  check(
    ids[one.client] === 1 && ids[two.client] === 2,
    `lastMutationIDs ${show(ids)}: expected ${one.client} at 1 and ${two.client} at 2`,
  );
}

export const consistencyChecks: readonly Check[] = [
  { name: "consistency: a pull's lastMutationIDs count a push and its patch shows it", run: countsAndShows },
  {
    name: 'consistency: lastMutationIDs list every client of the group that pushed',
    run: everyPushingClient,
  },
];
