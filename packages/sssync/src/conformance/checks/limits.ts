/** PROTOCOL.md §9: the default limits of test mode, refused with 413 past them and honoured within. */
import { type Check, check } from '../check.js';
import { actor, expectError, mutations, pullBody, push, pushBody } from '../protocol-client.js';
import { bearer, type TestRun } from '../test-run.js';

const MIB = 1024 * 1024;

async function justUnderOneMiB(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  // Four mutations of ~240 KB of args each: every one within the 256 KiB args limit, ~980 KB in all.
  const title = 'x'.repeat(240_000);
  const calls = [1, 2, 3, 4].map((i) => ['putItem', t.fresh('item'), title, i] as const);
  const bytes = new TextEncoder().encode(JSON.stringify(pushBody(a, mutations(1, calls)))).byteLength;
  check(bytes < 1_000_000, `the body is ${bytes} bytes`);
  const response = await push(t, a, 1, calls, `a push of ${bytes} bytes`);
  const failed = response.results.filter((r) => !r.ok);
  check(
    failed.length === 0,
    () => `a push of ${bytes} bytes: mutations rejected: ${JSON.stringify(failed).slice(0, 200)}`,
  );
}

async function bodyOverOneMiB(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const title = 'x'.repeat(200_000);
  const calls = [1, 2, 3, 4, 5, 6].map((i) => ['putItem', t.fresh('item'), title, i] as const);
  const answer = await t.send('push', 'a push of 1.2 MB', {
    json: pushBody(a, mutations(1, calls)),
    auth: bearer(a.user),
  });
  expectError(answer, 413, 'TOO_LARGE', { limit: MIB, field: undefined });
}

async function tooManyMutations(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const calls = Array.from({ length: 1001 }, () => ['deleteItem', 'none'] as const);
  const answer = await t.send('push', 'a push of 1001 mutations', {
    json: pushBody(a, mutations(1, calls)),
    auth: bearer(a.user),
  });
  expectError(answer, 413, 'TOO_LARGE', { field: 'mutations', limit: 1000 });
}

async function tooManyResources(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const resources = Array.from({ length: 101 }, (_, i) => ({ path: `/items/i${i}`, cursor: null }));
  const answer = await t.send('pull', 'a pull of 101 resources', {
    json: pullBody(a, resources),
    auth: bearer(a.user),
  });
  expectError(answer, 413, 'TOO_LARGE', { field: 'resources', limit: 100 });
}

export const limitChecks: readonly Check[] = [
  { name: 'limits: a push just under 1 MiB is accepted', run: justUnderOneMiB },
  { name: 'limits: a body over 1 MiB → 413 TOO_LARGE (limit 1048576)', run: bodyOverOneMiB },
  { name: 'limits: 1001 mutations → 413 TOO_LARGE (field mutations, limit 1000)', run: tooManyMutations },
  { name: 'limits: 101 resources → 413 TOO_LARGE (field resources, limit 100)', run: tooManyResources },
];
