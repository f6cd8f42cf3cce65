/** PROTOCOL.md §6: full loads in pages, incremental pulls, resource errors and cursors. */
import { type Check, check, show } from '../check.js';
import { expectItems, fullLoad, type Item, ItemRows, item, load } from '../item-rows.js';
import { type Actor, actor, type Call, expectError, pull, pullBody, push } from '../protocol-client.js';
import { bearer, type TestRun } from '../test-run.js';

/** Pushes a putItem per item (one push, ids from 1) and returns the items as the owner reads them. */
async function putItems(t: TestRun, a: Actor, count: number): Promise<Item[]> {
  const items = Array.from({ length: count }, (_, i) => item(t.fresh('item'), a.user, `title ${i}`, i));
  await push(
    t,
    a,
    1,
    items.map((x): Call => ['putItem', x.id, x.title, x.n]),
    `push ${count} putItems`,
  );
  return items;
}

async function pagedFullLoad(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const items = await putItems(t, a, 25);
  const rows = new ItemRows();
  const { pages } = await load(t, a, '/items', null, rows, 'full load of /items');
  check(pages[0]?.patch[0]?.op === 'clear', 'the first page of a full load must start with clear');
  pages.forEach((page, i) => {
    const ops = page.patch.filter((op) => op.op !== 'clear').length;
    check(ops <= 10, `page ${i + 1} holds ${ops} put/del ops; the test-mode page size is 10`);
    check(page.more === i < pages.length - 1, `page ${i + 1} of ${pages.length} has more: ${page.more}`);
  });
  check(pages.length >= 3, `25 items came in ${pages.length} pages of at most 10`);
  expectItems(rows.list, items, 'the pages applied in order');
}

async function noChange(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const items = await putItems(t, a, 3);
  const rows = new ItemRows();
  const { cursor } = await load(t, a, '/items', null, rows, 'full load');
  await load(t, a, '/items', cursor, rows, 'incremental pull with no change');
  expectItems(rows.list, items, 'after an incremental pull with no change');
}

async function changes(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const [x, y, z] = (await putItems(t, a, 3)) as [Item, Item, Item];
  const rows = new ItemRows();
  const { cursor } = await load(t, a, '/items', null, rows, 'full load');
  const added = item(t.fresh('item'), a.user, 'added', 4);
  await push(
    t,
    a,
    4,
    [
      ['putItem', added.id, added.title, added.n],
      ['incrementItem', x.id, 5],
      ['deleteItem', y.id],
      ['putItem', z.id, 'renamed', 9],
    ],
    'push putItem, incrementItem, deleteItem, putItem',
  );
  await load(t, a, '/items', cursor, rows, 'incremental pull');
  expectItems(
    rows.list,
    [added, { ...x, n: x.n + 5 }, { ...z, title: 'renamed', n: 9 }],
    'after the incremental pull',
  );
}

async function transfer(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const b = actor(t, t.user('b'));
  const [x, y] = (await putItems(t, a, 2)) as [Item, Item];
  const aRows = new ItemRows();
  const bRows = new ItemRows();
  const aLoad = await load(t, a, '/items', null, aRows, "A's full load");
  const bLoad = await load(t, b, '/items', null, bRows, "B's full load");
  await push(t, a, 3, [['transferItem', x.id, b.user]], 'A transfers an item to B');
  await load(t, a, '/items', aLoad.cursor, aRows, "A's incremental pull");
  expectItems(aRows.list, [y], "A's /items after the transfer");
  await load(t, b, '/items', bLoad.cursor, bRows, "B's incremental pull");
  expectItems(bRows.list, [{ ...x, owner: b.user }], "B's /items after the transfer");
  const path = `/items/${x.id}`;
  const single = await t.send('pull', `A pulls ${path}`, {
    json: pullBody(a, [{ path, cursor: null }]),
    auth: bearer(a.user),
  });
  expectError(single, 403, 'FORBIDDEN', { field: 'resources[0].path' });
  const second = await t.send('pull', `A pulls /items and ${path}`, {
    json: pullBody(a, [
      { path: '/items', cursor: null },
      { path, cursor: null },
    ]),
    auth: bearer(a.user),
  });
  expectError(second, 403, 'FORBIDDEN', { field: 'resources[1].path' });
  const mine = await fullLoad(t, b, path, `B pulls ${path}`);
  expectItems(mine.list, [{ ...x, owner: b.user }], `B's ${path}`);
}

async function missingSingleItem(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const path = `/items/${t.fresh('item')}`;
  const response = await pull(t, a, [{ path, cursor: null }], `pull ${path}`);
  const page = response.resources[0]!;
  check(
    page.patch.length === 1 && page.patch[0]!.op === 'clear' && !page.more,
    () => `pull of a missing item: expected just a clear, got ${show(page)}`,
  );
}

async function unknownPath(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const cases = [
    [['/nope'], 'resources[0].path'],
    [['/items', '/items/x/y'], 'resources[1].path'],
    [['/Items'], 'resources[0].path'],
  ] as const;
  for (const [paths, field] of cases) {
    const answer = await t.send('pull', `pull ${paths.join(' and ')}`, {
      json: pullBody(
        a,
        paths.map((path) => ({ path, cursor: null })),
      ),
      auth: bearer(a.user),
    });
    expectError(answer, 404, 'UNKNOWN_RESOURCE', { field });
  }
}

async function unusableCursor(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const items = await putItems(t, a, 3);
  for (const cursor of [`not-a-cursor-${t.fresh('x')}`, 'z'.repeat(1024)]) {
    const rows = new ItemRows();
    rows.apply([{ op: 'put', table: 'items', row: item(t.fresh('stale'), a.user, 'stale', 0) }]);
    const { pages } = await load(t, a, '/items', cursor, rows, `pull from cursor ${show(cursor, 30)}`);
    check(
      pages[0]?.patch[0]?.op === 'clear',
      () =>
        `pull from an unusable cursor ${show(cursor, 30)}: expected a full load (clear first), got ${show(pages[0])}`,
    );
    expectItems(rows.list, items, `after a pull from cursor ${show(cursor, 30)}`);
  }
}

async function oldCursor(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const [x, y] = (await putItems(t, a, 2)) as [Item, Item];
  const first = new ItemRows();
  const { cursor } = await load(t, a, '/items', null, first, 'full load');
  const added = item(t.fresh('item'), a.user, 'added', 3);
  await push(
    t,
    a,
    3,
    [
      ['deleteItem', x.id],
      ['putItem', added.id, added.title, added.n],
    ],
    'push changes',
  );
  await load(t, a, '/items', cursor, new ItemRows(), 'incremental pull');
  await push(t, a, 5, [['incrementItem', y.id, 1]], 'push more changes');
  await load(t, a, '/items', cursor, first, 'the same incremental pull again, from the old cursor');
  expectItems(first.list, [added, { ...y, n: y.n + 1 }], 'after pulling again from the old cursor');
}

async function noResources(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  await push(t, a, 1, [['putItem', t.fresh('item'), 't', 1]], 'push');
  const response = await pull(t, actor(t, a.user, a.group), [], 'pull of no resources in the same group');
  check(response.resources.length === 0, `resources: ${show(response.resources)}`);
  check(
    response.lastMutationIDs[a.client] === 1,
    () => `lastMutationIDs ${show(response.lastMutationIDs)}: expected the pushing client ${a.client} at 1`,
  );
}

export const pullChecks: readonly Check[] = [
  { name: 'pull: a full load of 25 items in pages of at most 10', run: pagedFullLoad },
  { name: 'pull: an incremental pull with no change keeps the rows', run: noChange },
  { name: 'pull: putItem, incrementItem, deleteItem reach an incremental pull', run: changes },
  {
    name: 'pull: transferItem moves the item to the new owner; /items/:id is 403 for the old',
    run: transfer,
  },
  { name: 'pull: /items/:id of a missing item → clear only', run: missingSingleItem },
  { name: 'pull: an unknown path → 404 UNKNOWN_RESOURCE', run: unknownPath },
  { name: 'pull: an unusable cursor → a full load', run: unusableCursor },
  { name: 'pull: an old cursor is still usable', run: oldCursor },
  { name: 'pull: no resources → lastMutationIDs only', run: noResources },
];
