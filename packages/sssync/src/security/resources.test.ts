/**
 * What a user may read (PROTOCOL.md §6.2, §6.4, §6.3 removals) against the real handler: another
 * user's resource, paths that look like traversal, and access revoked in the middle of a session.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  dump,
  expectError,
  fresh,
  items,
  makeServer,
  mutations,
  noLeakSweep,
  pullBody,
  pushBody,
  type Server,
  send,
} from './harness.js';

let s: Server;
let groupA: string;
let groupB: string;
let clientA: string;

beforeEach(async () => {
  s = await makeServer();
  groupA = fresh('g');
  groupB = fresh('g');
  clientA = fresh('c');
  await send(s, 'push', pushBody(groupA, clientA, mutations(1, [['putItem', 'a1', 'Secret of A', 1]])));
  await send(s, 'push', pushBody(groupB, fresh('c'), mutations(1, [['putItem', 'b1', 'Secret of B', 2]])), {
    user: 'user-b',
  });
});

const pull = (group: string, paths: readonly string[], user = 'user-a', cursor: string | null = null) =>
  send(
    s,
    'pull',
    pullBody(
      group,
      paths.map((path) => ({ path, cursor })),
    ),
    { user },
  );

describe('resources the user may not read', () => {
  it("another user's item → 403 FORBIDDEN, field resources[i].path, none of its data; nothing written", async () => {
    const before = dump(s);
    const answer = await pull(groupA, ['/items', '/items/b1']);
    expectError(answer, 403, { code: 'FORBIDDEN', field: 'resources[1].path' });
    expect(answer.text).not.toContain('Secret of B');
    expect(dump(s)).toEqual(before);
  });

  it("another user's item spelled with escapes (/items/%62%31) is still that item → 403", async () => {
    const answer = await pull(groupA, ['/items/%62%31']);
    expectError(answer, 403, { code: 'FORBIDDEN', field: 'resources[0].path' });
    expect(answer.text).not.toContain('Secret of B');
  });

  it("/items only ever holds the caller's rows", async () => {
    const answer = await pull(groupA, ['/items']);
    expect(answer.body.resources[0].patch).toEqual([
      { op: 'clear' },
      { op: 'put', table: 'items', row: { id: 'a1', owner: 'user-a', title: 'Secret of A', n: 1 } },
    ]);
  });

  it('an unknown resource → 404 UNKNOWN_RESOURCE with its field; nothing written', async () => {
    const before = dump(s);
    for (const [path, at] of [
      ['/Items', 0],
      ['/items/a1/owner', 0],
      ['/sssync_clients', 0],
      ['/admin', 0],
    ] as const) {
      expectError(await pull(groupA, [path]), 404, {
        code: 'UNKNOWN_RESOURCE',
        field: `resources[${at}].path`,
      });
    }
    expect(dump(s)).toEqual(before);
  });

  it('the same path twice in one pull → 400, field resources[1].path', async () => {
    expectError(await pull(groupA, ['/items', '/items']), 400, {
      code: 'BAD_REQUEST',
      field: 'resources[1].path',
    });
  });
});

describe('path traversal', () => {
  const refused: [string, string][] = [
    ['/items/..', 'a ".." segment'],
    ['/items/.', 'a "." segment'],
    ['/items/%2e%2e', '".." escaped'],
    ['/items/%2E%2E', '".." escaped in capitals'],
    ['/items/.%2e', '".." half escaped'],
    ['/items/%2e', '"." escaped'],
    ['/items/../items', 'traversal back into a pattern'],
    ['/../items', 'traversal at the root'],
    ['/items//b1', 'an empty segment'],
    ['/items/', 'a trailing slash'],
    ['items', 'no leading slash'],
    ['/items/b1?owner=user-b', 'a query'],
    ['/items/b1#x', 'a fragment'],
    ['/items/%00', 'an escaped NUL'],
    ['/items/%0a', 'an escaped newline'],
    ['/items/%ff', 'an escape that is not UTF-8'],
    ['/items/%zz', 'a broken escape'],
    ['/items/a b', 'a space'],
    ['/items/\u0000', 'a raw NUL'],
    ['/items/b\\1', 'a backslash'],
    [`/items/${'x'.repeat(506)}`, 'a path of 513 characters'],
  ];
  it.each(refused)('%s (%s) → 400, field resources[0].path; nothing written', async (path) => {
    const before = dump(s);
    const answer = await pull(groupA, [path]);
    expectError(answer, 400, { code: 'BAD_REQUEST', field: 'resources[0].path' });
    expect(answer.text).not.toContain('Secret of B');
    expect(dump(s)).toEqual(before);
  });

  // Valid paths whose decoded parameter merely looks like a path: one segment, one item id.
  const literal: [string, string][] = [
    ['/items/..%2F..', '../..'],
    ['/items/..%2Fb1', '../b1'],
    ['/items/a%2Fb', 'a/b'],
    ['/items/%2Fetc%2Fpasswd', '/etc/passwd'],
    ['/items/...', '...'],
  ];
  it.each(literal)('%s is the item "%s": an empty resource, nobody\'s rows', async (path, id) => {
    const answer = await pull(groupA, [path]);
    expect(answer.status).toBe(200);
    expect(answer.body.resources[0]).toMatchObject({ path, patch: [{ op: 'clear' }], more: false });
    // An item with that very id is found by it, and only by its owner.
    await send(s, 'push', pushBody(groupB, fresh('c'), mutations(1, [['putItem', id, 'B owns it', 1]])), {
      user: 'user-b',
    });
    expectError(await pull(groupA, [path]), 403, { code: 'FORBIDDEN', field: 'resources[0].path' });
  });

  it('a path of exactly 512 characters is served (the limit is inclusive)', async () => {
    const path = `/items/${'x'.repeat(505)}`;
    expect(path).toHaveLength(512);
    expect((await pull(groupA, [path])).status).toBe(200);
  });
});

describe('permission revoked mid-session', () => {
  it('after a transfer the old owner gets del, 403 on the item, and FORBIDDEN on every write to it', async () => {
    await send(s, 'push', pushBody(groupA, clientA, mutations(2, [['putItem', 'x', 'Shared', 5]])));
    const first = await pull(groupA, ['/items', '/items/x']);
    expect(first.status).toBe(200);
    const [list, one] = first.body.resources;
    expect(list.patch.map((op: any) => op.row?.id ?? op.op)).toEqual(['clear', 'a1', 'x']);
    expect(one.patch.map((op: any) => op.row?.id ?? op.op)).toEqual(['clear', 'x']);

    const transfer = await send(
      s,
      'push',
      pushBody(groupA, clientA, mutations(3, [['transferItem', 'x', 'user-b']])),
    );
    expect(transfer.body.results).toEqual([{ id: 3, ok: true }]);

    // The next pull from A's cursor removes the row; the single-item resource is now forbidden.
    const next = await send(s, 'pull', pullBody(groupA, [{ path: '/items', cursor: list.cursor }]));
    expect(next.body.resources[0].patch).toEqual([{ op: 'del', table: 'items', id: 'x' }]);
    expect(next.body.lastMutationIDs).toEqual({ [clientA]: 3 });
    const gone = await send(s, 'pull', pullBody(groupA, [{ path: '/items/x', cursor: one.cursor }]));
    expectError(gone, 403, { code: 'FORBIDDEN', field: 'resources[0].path' });
    expect(gone.text).not.toContain('Shared');

    // Writes on it by A, queued before A learned of the transfer, are refused one by one.
    const before = items(s);
    const writes = await send(
      s,
      'push',
      pushBody(
        groupA,
        clientA,
        mutations(4, [
          ['incrementItem', 'x', 100],
          ['putItem', 'x', 'Taken back', 0],
          ['deleteItem', 'x'],
          ['transferItem', 'x', 'user-a'],
          ['putItem', 'a2', 'Still mine', 1],
        ]),
      ),
    );
    expect(writes.body.results.map((r: any) => r.error?.code ?? 'ok')).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
      'ok',
    ]);
    expect(items(s).filter((i) => i.id !== 'a2')).toEqual(before);
    expect(items(s).find((i) => i.id === 'x')).toEqual({ id: 'x', owner: 'user-b', title: 'Shared', n: 5 });
    // And B now reads it.
    const b = await pull(groupB, ['/items/x'], 'user-b');
    expect(b.body.resources[0].patch[1].row).toEqual({ id: 'x', owner: 'user-b', title: 'Shared', n: 5 });
  });
});

noLeakSweep(30);
