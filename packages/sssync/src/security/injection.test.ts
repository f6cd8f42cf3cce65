/**
 * Hostile names and values against the real handler (PROTOCOL.md §2, §5.2, §5.3): unknown and
 * inherited mutator names, `__proto__` / `constructor` keys, SQL-looking strings, strings that are
 * not Unicode. A mutation the server refuses is a result (200) that wrote nothing but its id.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
let group: string;
let client: string;

beforeEach(async () => {
  s = await makeServer();
  group = fresh('g');
  client = fresh('c');
  expect(
    (await send(s, 'push', pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]])))).status,
  ).toBe(200);
});

const polluted = () => ({
  plain: ({} as Record<string, unknown>).polluted,
  own: Object.getOwnPropertyNames(Object.prototype).filter((k) => k === 'polluted'),
  array: ([] as unknown as Record<string, unknown>).polluted,
  fn: ((() => {}) as unknown as Record<string, unknown>).polluted,
});
const clean = { plain: undefined, own: [], array: undefined, fn: undefined };

afterEach(() => {
  // Whatever a test sent, nothing reached a shared prototype.
  expect(polluted()).toEqual(clean);
});

/** Pushes one mutation (id 2) and returns its result; asserts that only `last_mutation_id` moved. */
async function refusedMutation(name: string, args: unknown[]) {
  const before = dump(s, { activity: false });
  const answer = await send(s, 'push', pushBody(group, client, mutations(2, [[name, ...args]])));
  expect(answer.status).toBe(200);
  expect(answer.body.lastMutationIDs).toEqual({ [client]: 2 });
  const after = dump(s, { activity: false });
  // The refused mutation is consumed (its id), and no row changed. A mutator that ran and was rolled
  // back may have taken a version number (docs/server.md: taken before it runs); a gap there is harmless.
  const clients = before.sssync_clients!.map((c: any) =>
    c.client_id === client ? { ...c, last_mutation_id: 2 } : c,
  );
  expect({ ...after, sssync_version: [] }).toEqual({
    ...before,
    sssync_clients: clients,
    sssync_version: [],
  });
  return answer.body.results[0];
}

describe('mutator names', () => {
  it('an unknown mutator → result UNKNOWN_MUTATOR, nothing written, the queue goes on', async () => {
    expect(await refusedMutation('dropAllItems', ['i1'])).toEqual({
      id: 2,
      ok: false,
      error: { code: 'UNKNOWN_MUTATOR', message: expect.stringContaining('dropAllItems') },
    });
    const next = await send(
      s,
      'push',
      pushBody(group, client, mutations(3, [['putItem', 'i3', 'Three', 3]])),
    );
    expect(next.body.results).toEqual([{ id: 3, ok: true }]);
  });

  it.each([
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    'prototype',
  ])('%s as a mutator name → UNKNOWN_MUTATOR, no inherited property runs', async (name) => {
    const result = await refusedMutation(name, [{ polluted: true }]);
    expect(result).toEqual({
      id: 2,
      ok: false,
      error: { code: 'UNKNOWN_MUTATOR', message: expect.any(String) },
    });
  });

  it('a SQL-looking mutator name → UNKNOWN_MUTATOR', async () => {
    const result = await refusedMutation("putItem'; DROP TABLE items; --", ['i9', 't', 1]);
    expect(result.error.code).toBe('UNKNOWN_MUTATOR');
  });

  it('a mutator name of 129 characters → 400, field mutations[0].name', async () => {
    const before = dump(s);
    const answer = await send(s, 'push', pushBody(group, client, mutations(2, [['p'.repeat(129), 'i9']])));
    expectError(answer, 400, { code: 'BAD_REQUEST', field: 'mutations[0].name' });
    expect(dump(s)).toEqual(before);
  });
});

describe('__proto__ and constructor as keys', () => {
  it('__proto__ as a key of a row → INVALID_ARGUMENT (unknown column), nothing written', async () => {
    const row = JSON.parse('{"id":"r1","title":"t","n":1,"__proto__":{"polluted":true}}');
    expect(Object.hasOwn(row, '__proto__')).toBe(true);
    expect(await refusedMutation('putRow', [row])).toEqual({
      id: 2,
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('__proto__') },
    });
  });

  it('constructor.prototype as a key of a row → INVALID_ARGUMENT, nothing written', async () => {
    const row = JSON.parse('{"id":"r1","title":"t","n":1,"constructor":{"prototype":{"polluted":true}}}');
    const result = await refusedMutation('putRow', [row]);
    expect(result.error).toEqual({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('constructor'),
    });
  });

  it('a row without extra keys through the same mutator is written (the refusals above are the keys)', async () => {
    const answer = await send(
      s,
      'push',
      pushBody(group, client, mutations(2, [['putRow', { id: 'r1', title: 't', n: 1 }]])),
    );
    expect(answer.body.results).toEqual([{ id: 2, ok: true }]);
    expect(items(s).find((i) => i.id === 'r1')).toEqual({ id: 'r1', owner: 'user-a', title: 't', n: 1 });
  });

  it('__proto__ and constructor keys nested in args are data: stored and read back verbatim', async () => {
    const text =
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"a":[{"__proto__":1}]}';
    const value = JSON.parse(text);
    const answer = await send(s, 'push', pushBody(group, client, mutations(2, [['putJSON', 'p1', value]])));
    expect(answer.body.results).toEqual([{ id: 2, ok: true }]);
    expect(items(s).find((i) => i.id === 'p1')?.title).toBe(text);
    const pulled = await send(s, 'pull', pullBody(group, [{ path: '/items/p1', cursor: null }]));
    expect(pulled.body.resources[0].patch[1].row.title).toBe(text);
  });

  it('__proto__ keys in the request body itself (top level, in a mutation, in a resource) are ignored', async () => {
    const push = `{"__proto__":{"polluted":true},"protocolVersion":1,"schemaVersion":1,"clientGroupID":"${group}","clientID":"${client}","mutations":[{"__proto__":{"name":"failItem"},"constructor":{"polluted":1},"id":2,"name":"putItem","args":["i2","Two",2],"timestamp":1}]}`;
    expect((await send(s, 'push', push)).body.results).toEqual([{ id: 2, ok: true }]);
    expect(items(s).map((i) => i.id)).toEqual(['i1', 'i2']);
    const pull = `{"protocolVersion":1,"schemaVersion":1,"clientGroupID":"${group}","clientID":"x","resources":[{"__proto__":{"path":"/nope"},"path":"/items","cursor":null}]}`;
    const pulled = await send(s, 'pull', pull);
    expect(pulled.body.resources[0].patch.length).toBe(3);
  });

  it('__proto__ as a resource path parameter is an item id like any other', async () => {
    const put = await send(
      s,
      'push',
      pushBody(group, client, mutations(2, [['putItem', '__proto__', 'proto', 1]])),
    );
    expect(put.body.results).toEqual([{ id: 2, ok: true }]);
    const pulled = await send(s, 'pull', pullBody(group, [{ path: '/items/__proto__', cursor: null }]));
    expect(pulled.body.resources[0].patch).toEqual([
      { op: 'clear' },
      { op: 'put', table: 'items', row: { id: '__proto__', owner: 'user-a', title: 'proto', n: 1 } },
    ]);
  });
});

describe('SQL-looking and odd values', () => {
  const nasty = [
    "'); DROP TABLE items; --",
    '" OR 1=1 --',
    "x' UNION SELECT secret FROM sssync_meta --",
    'Robert"); DELETE FROM sssync_clients; --',
    // A template placeholder too, built so that no linter takes it for a mistake.
    `%; \\x00 \\\\ \`ls\` $(id) ${'$'}{7*7} {{7*7}}`,
  ];

  it('SQL-looking strings as ids and values are stored and read back verbatim; every table intact', async () => {
    const tables = () => s.sqlite.prepare('select name from sqlite_master order by name').all();
    const schemaBefore = tables();
    const calls = nasty.map((v, i) => ['putItem', v.slice(0, 64), v, i] as const);
    const answer = await send(s, 'push', pushBody(group, client, mutations(2, calls)));
    expect(answer.body.results.every((r: { ok: boolean }) => r.ok)).toBe(true);
    expect(tables()).toEqual(schemaBefore);
    const expected = nasty.map((v, i) => ({ id: v.slice(0, 64), owner: 'user-a', title: v, n: i }));
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    expect(items(s).filter((i) => i.id !== 'i1')).toEqual([...expected].sort(byId));
    const pulled = await send(s, 'pull', pullBody(group, [{ path: '/items', cursor: null }]));
    const rows = pulled.body.resources[0].patch.filter((op: any) => op.op === 'put').map((op: any) => op.row);
    expect(rows.filter((r: { id: string }) => r.id !== 'i1').sort(byId)).toEqual([...expected].sort(byId));
    // The server's own tables still answer.
    expect(s.sqlite.prepare('select count(*) as n from sssync_clients').get()).toEqual({ n: 1 });
  });

  it("a SQL-looking resource parameter matches no other user's rows", async () => {
    await send(s, 'push', pushBody(fresh('g'), fresh('c'), mutations(1, [['putItem', 'b1', 'B', 1]])), {
      user: 'user-b',
    });
    const path = `/items/${encodeURIComponent("x' OR '1'='1")}`;
    const pulled = await send(s, 'pull', pullBody(group, [{ path, cursor: null }]));
    expect(pulled.body.resources[0]).toMatchObject({ path, patch: [{ op: 'clear' }], more: false });
  });

  it('numbers at the edges of JSON (1e308, -0, 5e-324) are stored and read back as numbers', async () => {
    const calls = [
      ['putItem', 'big', 'b', 1e308],
      ['putItem', 'tiny', 't', 5e-324],
      ['putItem', 'neg0', 'z', -0],
    ] as const;
    const answer = await send(s, 'push', pushBody(group, client, mutations(2, calls)));
    expect(answer.body.results.every((r: { ok: boolean }) => r.ok)).toBe(true);
    const n = Object.fromEntries(items(s).map((i) => [i.id, i.n]));
    expect([n.big, n.tiny, Object.is(n.neg0, 0) || Object.is(n.neg0, -0)]).toEqual([1e308, 5e-324, true]);
  });

  it('a number too large for JSON (1e400) is Infinity after parsing → 400, not stored', async () => {
    const before = dump(s);
    const body = JSON.stringify(
      pushBody(group, client, mutations(2, [['putItem', 'inf', 't', 12345]])),
    ).replace('12345', '1e400');
    expectError(await send(s, 'push', body), 400, { code: 'BAD_REQUEST', field: 'mutations[0].args[2]' });
    expect(dump(s)).toEqual(before);
  });

  // A JSON string may escape a lone surrogate ("\ud800"): the body is valid UTF-8 and valid JSON, but
  // the string is not Unicode text. SQLite stores text as UTF-8, so the server keeps something else
  // (three U+FFFD) than the client holds: the client's optimistic row and the server's differ forever.
  it('a lone surrogate in a string is refused (400) or read back verbatim, never altered', async () => {
    const answer = await send(
      s,
      'push',
      pushBody(group, client, mutations(2, [['putItem', 'sur', 'a\ud800b', 1]])),
    );
    if (answer.status === 400) {
      expectError(answer, 400, { code: 'BAD_REQUEST', field: 'mutations[0].args[1]' });
      expect(items(s).find((i) => i.id === 'sur')).toBeUndefined();
      return;
    }
    expect(answer.body.results).toEqual([{ id: 2, ok: true }]);
    const pulled = await send(s, 'pull', pullBody(group, [{ path: '/items/sur', cursor: null }]));
    expect(pulled.body.resources[0].patch[1].row.title).toBe('a\ud800b');
  });
});

noLeakSweep(2);
