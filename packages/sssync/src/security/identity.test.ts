/**
 * Who may do what (PROTOCOL.md §4, §5.2, §5.5, §8) against the real handler: mutation id gaps and
 * replays, another user's client group or client, expired credentials, rate limits, and internal
 * failures that must not leak.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuthContext } from '../server/options.js';
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
  zeroActivity,
} from './harness.js';

let s: Server;
let group: string;
let client: string;

beforeEach(async () => {
  s = await makeServer();
  group = fresh('g');
  client = fresh('c');
});

describe('exactly once', () => {
  it('a mutation id gap → 409 MUTATION_ID_GAP with field and lastMutationID; nothing applied', async () => {
    const first = mutations(1, [
      ['putItem', 'i1', 'One', 1],
      ['putItem', 'i2', 'Two', 2],
    ]);
    expect((await send(s, 'push', pushBody(group, client, first))).status).toBe(200);
    const before = dump(s, { activity: false });
    const gap = mutations(5, [
      ['putItem', 'i5', 'Five', 5],
      ['incrementItem', 'i1', 100],
    ]);
    expectError(await send(s, 'push', pushBody(group, client, gap)), 409, {
      code: 'MUTATION_ID_GAP',
      field: 'mutations[0].id',
      lastMutationID: 2,
    });
    expect(dump(s, { activity: false })).toEqual(before);
  });

  it('a gap after duplicates names the first mutation that is not one', async () => {
    await send(s, 'push', pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]])));
    // Ids 1..3 where the server has 1: 1 is a duplicate, 2 would run — so no gap. Ask for 1 then 3:
    // a push's ids are consecutive (400), so the gap can only come first or after duplicates.
    const skip = pushBody(group, client, [
      { id: 1, name: 'putItem', args: ['i1', 'One', 1] },
      { id: 3, name: 'putItem', args: ['i3', 'Three', 3] },
    ]);
    expectError(await send(s, 'push', skip), 400, { code: 'BAD_REQUEST', field: 'mutations[1].id' });
    expect(items(s).map((i) => i.id)).toEqual(['i1']);
  });

  it('a replay of an old batch: every mutation a duplicate, nothing applied twice', async () => {
    const batch = pushBody(
      group,
      client,
      mutations(1, [
        ['putItem', 'i1', 'One', 1],
        ['incrementItem', 'i1', 10],
        ['incrementItem', 'i1', 100],
      ]),
    );
    const first = await send(s, 'push', batch);
    expect(first.body.results).toEqual([1, 2, 3].map((id) => ({ id, ok: true })));
    const before = dump(s, { activity: false });
    for (let i = 0; i < 3; i++) {
      const replay = await send(s, 'push', batch);
      expect(replay.body).toEqual({
        protocolVersion: 1,
        results: [1, 2, 3].map((id) => ({ id, ok: true, duplicate: true })),
        lastMutationIDs: { [client]: 3 },
      });
    }
    expect(dump(s, { activity: false })).toEqual(before);
    expect(items(s)).toEqual([{ id: 'i1', owner: 'user-a', title: 'One', n: 111 }]);
    // The replay with one new mutation appended: three duplicates, the new one applied once.
    const longer = pushBody(
      group,
      client,
      mutations(1, [
        ['putItem', 'i1', 'One', 1],
        ['incrementItem', 'i1', 10],
        ['incrementItem', 'i1', 100],
        ['incrementItem', 'i1', 1000],
      ]),
    );
    expect((await send(s, 'push', longer)).body.results.map((r: any) => r.duplicate ?? false)).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(items(s)[0]?.n).toBe(1111);
  });

  it('the same batch sent five times at once is applied once', async () => {
    const batch = pushBody(
      group,
      client,
      mutations(1, [
        ['putItem', 'i1', 'One', 1],
        ['incrementItem', 'i1', 1],
      ]),
    );
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(s, 'push', batch)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(items(s)).toEqual([{ id: 'i1', owner: 'user-a', title: 'One', n: 2 }]);
  });

  it('client timestamps far in the past or future change nothing (not trusted for order)', async () => {
    const calls = [
      ['putItem', 'i1', 'One', 1],
      ['incrementItem', 'i1', 2],
      ['incrementItem', 'i1', 3],
    ] as const;
    const skewed = mutations(1, calls).map((m, i) => ({
      ...m,
      timestamp: [Number.MAX_SAFE_INTEGER, 0, 1][i]!,
    }));
    const answer = await send(s, 'push', pushBody(group, client, skewed));
    expect(answer.body.results).toEqual([1, 2, 3].map((id) => ({ id, ok: true })));
    const other = await makeServer();
    const g = fresh('g');
    const c = fresh('c');
    await send(other, 'push', pushBody(g, c, mutations(1, calls)));
    expect(items(s)).toEqual(items(other));
    // Beyond JSON's exact integers a timestamp is malformed, like any integer field.
    const tooBig = pushBody(group, client, [
      { id: 4, name: 'incrementItem', args: ['i1', 1], timestamp: 2 ** 53 },
    ]);
    expectError(await send(s, 'push', tooBig), 400, { code: 'BAD_REQUEST', field: 'mutations[0].timestamp' });
  });
});

describe('ownership', () => {
  it("another user's client group → 403 FORBIDDEN, field clientGroupID, on push and pull; nothing written", async () => {
    await send(s, 'push', pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]])));
    const before = dump(s);
    const push = await send(
      s,
      'push',
      pushBody(group, fresh('c'), mutations(1, [['putItem', 'b1', 'B', 1]])),
      {
        user: 'user-b',
      },
    );
    expectError(push, 403, { code: 'FORBIDDEN', field: 'clientGroupID' });
    const pull = await send(s, 'pull', pullBody(group, [{ path: '/items', cursor: null }]), {
      user: 'user-b',
    });
    expectError(pull, 403, { code: 'FORBIDDEN', field: 'clientGroupID' });
    // Even an empty pull, which would only answer lastMutationIDs, tells user B nothing.
    const empty = await send(s, 'pull', pullBody(group, []), { user: 'user-b' });
    expectError(empty, 403, { code: 'FORBIDDEN', field: 'clientGroupID' });
    expect(empty.text).not.toContain(client);
    expect(dump(s)).toEqual(before);
  });

  it("another user's client id (in the attacker's own group) → 403 FORBIDDEN, field clientID; nothing written", async () => {
    await send(s, 'push', pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]])));
    const attackerGroup = fresh('g');
    await send(s, 'pull', pullBody(attackerGroup, []), { user: 'user-b' });
    zeroActivity(s);
    const before = dump(s);
    // Mutation 2 of user A's client, as if user B could append to A's queue.
    const push = pushBody(attackerGroup, client, mutations(2, [['incrementItem', 'i1', 1000]]));
    expectError(await send(s, 'push', push, { user: 'user-b' }), 403, {
      code: 'FORBIDDEN',
      field: 'clientID',
    });
    const replay = pushBody(attackerGroup, client, mutations(1, [['putItem', 'i1', 'One', 1]]));
    expectError(await send(s, 'push', replay, { user: 'user-b' }), 403, {
      code: 'FORBIDDEN',
      field: 'clientID',
    });
    expect(items(s)).toEqual([{ id: 'i1', owner: 'user-a', title: 'One', n: 1 }]);
    expect(dump(s)).toEqual(before);
  });

  it("the same user's client id under another of their groups → 403, field clientID", async () => {
    await send(s, 'push', pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]])));
    const before = dump(s, { activity: false });
    const push = pushBody(fresh('g'), client, mutations(2, [['incrementItem', 'i1', 1]]));
    expectError(await send(s, 'push', push), 403, { code: 'FORBIDDEN', field: 'clientID' });
    const after = dump(s, { activity: false });
    // The new group is claimed by its first request (§4.2); nothing else is written.
    expect({ ...after, sssync_client_groups: [] }).toEqual({ ...before, sssync_client_groups: [] });
  });
});

describe('credentials and rate limits', () => {
  /** Tokens `user-x.exp<ms>`, checked against a fixed "now" so the test never depends on the clock. */
  const NOW = 1_767_225_600_000;
  const expiring = (request: Request): AuthContext | null => {
    const m = /^Bearer (user-[a-z0-9-]+)\.exp(\d+)$/.exec(request.headers.get('authorization') ?? '');
    return m && Number(m[2]) > NOW ? { userID: m[1]! } : null;
  };

  it('expired credentials → 401 UNAUTHORIZED with WWW-Authenticate; nothing written', async () => {
    const server = await makeServer({ authenticate: expiring });
    const fine = await send(
      server,
      'push',
      pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]])),
      {
        user: `user-a.exp${NOW + 1000}`,
      },
    );
    expect(fine.body.results).toEqual([{ id: 1, ok: true }]);
    const before = dump(server);
    const push = pushBody(group, client, mutations(2, [['incrementItem', 'i1', 1]]));
    const expired = await send(server, 'push', push, { user: `user-a.exp${NOW - 1}` });
    expectError(expired, 401, { code: 'UNAUTHORIZED' });
    expect(expired.headers.get('www-authenticate')).toBe('Bearer');
    const pull = await send(server, 'pull', pullBody(fresh('g'), [{ path: '/items', cursor: null }]), {
      user: `user-a.exp${NOW - 1}`,
    });
    expectError(pull, 401, { code: 'UNAUTHORIZED' });
    expect(dump(server)).toEqual(before);
  });

  it.each([
    ['no Authorization header', null],
    ['an unknown user', 'nobody'],
    ['a token with a newline', 'user-a\nX-Admin: 1'],
    ['a SQL-looking token', "user-a' OR '1'='1"],
  ])('%s → 401, nothing written', async (_name, user) => {
    await send(s, 'push', pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]])));
    const before = dump(s);
    const answer = await send(
      s,
      'push',
      pushBody(group, client, mutations(2, [['incrementItem', 'i1', 1]])),
      {
        user,
      },
    ).catch(() => undefined);
    // Headers cannot carry a newline: fetch refuses to build such a request at all.
    if (answer !== undefined) expectError(answer, 401, { code: 'UNAUTHORIZED' });
    else expect(user).toContain('\n');
    expect(dump(s)).toEqual(before);
  });

  it('rate limit → 429 RATE_LIMITED with Retry-After equal to retryAfter; nothing written', async () => {
    const before = dump(s);
    const push = pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]]));
    const answer = await send(s, 'push', push, { user: 'rate-limited' });
    expectError(answer, 429, { code: 'RATE_LIMITED', retryAfter: 30 });
    expect(answer.headers.get('retry-after')).toBe('30');
    const pull = await send(s, 'pull', pullBody(group, [{ path: '/items', cursor: null }]), {
      user: 'rate-limited',
    });
    expectError(pull, 429, { code: 'RATE_LIMITED', retryAfter: 30 });
    expect(dump(s)).toEqual(before);
  });

  it('a fractional wait is rounded up to whole seconds in both places', async () => {
    const server = await makeServer({ rateLimit: () => 2.2 });
    const answer = await send(server, 'pull', pullBody(group, []));
    expectError(answer, 429, { code: 'RATE_LIMITED', retryAfter: 3 });
    expect(answer.headers.get('retry-after')).toBe('3');
  });
});

describe('internal failures', () => {
  it('a database failure inside a mutator → MUTATOR_FAILED with the fallback message, no SQL', async () => {
    await send(s, 'push', pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]])));
    s.sqlite.exec('alter table items rename to items_gone');
    const answer = await send(
      s,
      'push',
      pushBody(group, client, mutations(2, [['putItem', 'i2', 'Two', 2]])),
    );
    expect(answer.body.results).toEqual([
      { id: 2, ok: false, error: { code: 'MUTATOR_FAILED', message: 'The mutation failed on the server.' } },
    ]);
  });

  it('a database failure in a pull → 500 SERVER_ERROR "The server failed.", reported to onError only', async () => {
    await send(s, 'push', pushBody(group, client, mutations(1, [['putItem', 'i1', 'One', 1]])));
    s.sqlite.exec('alter table items rename to items_gone');
    const answer = await send(s, 'pull', pullBody(group, [{ path: '/items', cursor: null }]));
    expect([answer.status, answer.body]).toEqual([
      500,
      { error: { code: 'SERVER_ERROR', message: 'The server failed.' } },
    ]);
    expect(String(s.internalErrors[0])).toMatch(/no such table/);
  });

  it('an authenticate that throws → 500 with nothing internal', async () => {
    const server = await makeServer({
      authenticate: () => {
        throw new Error('jwks fetch failed: https://internal.example/keys at verify (/srv/auth.js:12:3)');
      },
    });
    const answer = await send(server, 'pull', pullBody(group, []));
    expect([answer.status, answer.body]).toEqual([
      500,
      { error: { code: 'SERVER_ERROR', message: 'The server failed.' } },
    ]);
    expect(server.internalErrors).toHaveLength(1);
  });
});

noLeakSweep(15);
