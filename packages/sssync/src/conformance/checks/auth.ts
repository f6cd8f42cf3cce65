/** PROTOCOL.md §4 and §11: test-mode authentication, rate limiting, and who owns a group or a client. */
import { type Check, check } from '../check.js';
import { actor, expectError, pull, pullBody, push, pushBody } from '../protocol-client.js';
import { bearer, type TestRun } from '../test-run.js';

async function expectUnauthorized(t: TestRun, auth: string | null, what: string): Promise<void> {
  const a = actor(t, t.user('a'));
  const bodies = { push: pushBody(a, []), pull: pullBody(a, [{ path: '/items', cursor: null }]) };
  for (const endpoint of ['push', 'pull'] as const) {
    const answer = await t.send(endpoint, `${endpoint} with ${what}`, { json: bodies[endpoint], auth });
    expectError(answer, 401, 'UNAUTHORIZED');
  }
}

async function rateLimited(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  for (const endpoint of ['push', 'pull'] as const) {
    const answer = await t.send(endpoint, `${endpoint} with Bearer rate-limited`, {
      json: endpoint === 'push' ? pushBody(a, []) : pullBody(a, []),
      auth: bearer('rate-limited'),
    });
    const error = expectError(answer, 429, 'RATE_LIMITED');
    const header = answer.headers.get('retry-after');
    check(
      header !== null && /^\d+$/.test(header.trim()),
      `${endpoint}: Retry-After is ${JSON.stringify(header)}, not a number of seconds`,
    );
    const seconds = Number(header);
    check(seconds >= 1 && seconds <= 60, `${endpoint}: Retry-After ${seconds} is not between 1 and 60`);
    check(
      error.retryAfter === seconds,
      `${endpoint}: retryAfter ${error.retryAfter} differs from Retry-After ${seconds}`,
    );
  }
}

async function anotherUsersGroup(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  await pull(t, a, [{ path: '/items', cursor: null }], 'user A pulls in its group');
  const b = { ...actor(t, t.user('b')), group: a.group };
  const pushed = await t.send('push', "user B pushes in A's group", {
    json: pushBody(b, []),
    auth: bearer(b.user),
  });
  expectError(pushed, 403, 'FORBIDDEN', { field: 'clientGroupID' });
  const pulled = await t.send('pull', "user B pulls in A's group", {
    json: pullBody(b, [{ path: '/items', cursor: null }]),
    auth: bearer(b.user),
  });
  expectError(pulled, 403, 'FORBIDDEN', { field: 'clientGroupID' });
}

async function clientInSecondGroup(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  await push(t, a, 1, [['putItem', t.fresh('item'), 'mine', 1]], 'A pushes in its first group');
  const moved = { ...a, group: t.fresh('g') };
  const same = await t.send('push', "A's client pushes in a second group", {
    json: pushBody(moved, []),
    auth: bearer(a.user),
  });
  expectError(same, 403, 'FORBIDDEN', { field: 'clientID' });
  // A takeover attempt: another user reuses the client id in a group of its own.
  const b = { ...actor(t, t.user('b')), client: a.client };
  const other = await t.send('push', "user B pushes as A's client", {
    json: pushBody(b, []),
    auth: bearer(b.user),
  });
  expectError(other, 403, 'FORBIDDEN', { field: 'clientID' });
}

export const authChecks: readonly Check[] = [
  {
    name: 'auth: no Authorization header → 401 UNAUTHORIZED',
    run: (t) => expectUnauthorized(t, null, 'no Authorization header'),
  },
  {
    name: 'auth: Bearer nobody → 401 UNAUTHORIZED',
    run: async (t) => {
      await expectUnauthorized(t, 'Bearer nobody', 'Bearer nobody');
      await expectUnauthorized(t, `Basic ${btoa('user-a:x')}`, 'Basic credentials');
    },
  },
  { name: 'auth: Bearer rate-limited → 429 RATE_LIMITED with Retry-After', run: rateLimited },
  { name: "auth: another user's client group → 403 FORBIDDEN (field clientGroupID)", run: anotherUsersGroup },
  {
    name: 'auth: a client pushing in a second group → 403 FORBIDDEN (field clientID)',
    run: clientInSecondGroup,
  },
];
