/** PROTOCOL.md §2 and §8: bodies that are not JSON, not JSON sent as JSON, or with a bad field. */
import { type Check, fail } from '../check.js';
import {
  type Actor,
  actor,
  expectError,
  mutations,
  pullBody,
  pushBody,
  summary,
} from '../protocol-client.js';
import { bearer, type TestRun } from '../test-run.js';

type Body = Record<string, unknown>;
/** A way to spoil a valid body, and the field the 400 must name. */
type Case = readonly [spoil: (body: Body) => unknown, field: string];

const set =
  (path: readonly (string | number)[], value: unknown) =>
  (body: Body): Body => {
    const copy = structuredClone(body);
    let at: Record<string | number, unknown> = copy;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (value === undefined) delete at[last];
    else at[last] = value;
    return copy;
  };

const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)]);

const PUSH_CASES: readonly Case[] = [
  [() => [], ''],
  [set(['protocolVersion'], undefined), 'protocolVersion'],
  [set(['schemaVersion'], undefined), 'schemaVersion'],
  [set(['schemaVersion'], 0), 'schemaVersion'],
  [set(['schemaVersion'], 1.5), 'schemaVersion'],
  [set(['schemaVersion'], '1'), 'schemaVersion'],
  [set(['clientGroupID'], undefined), 'clientGroupID'],
  [set(['clientGroupID'], ''), 'clientGroupID'],
  [set(['clientGroupID'], 'has space'), 'clientGroupID'],
  [set(['clientGroupID'], 'g'.repeat(65)), 'clientGroupID'],
  [set(['clientGroupID'], 7), 'clientGroupID'],
  [set(['clientID'], 'é'), 'clientID'],
  [set(['clientID'], null), 'clientID'],
  [set(['mutations'], undefined), 'mutations'],
  [set(['mutations'], {}), 'mutations'],
  [set(['mutations', 0], null), 'mutations[0]'],
  [set(['mutations', 0, 'id'], 0), 'mutations[0].id'],
  [set(['mutations', 0, 'id'], 1.5), 'mutations[0].id'],
  [set(['mutations', 0, 'id'], '1'), 'mutations[0].id'],
  [set(['mutations', 0, 'id'], 2 ** 53), 'mutations[0].id'],
  [set(['mutations', 0, 'name'], ''), 'mutations[0].name'],
  [set(['mutations', 0, 'name'], 'n'.repeat(129)), 'mutations[0].name'],
  [set(['mutations', 0, 'name'], 5), 'mutations[0].name'],
  [set(['mutations', 1, 'name'], undefined), 'mutations[1].name'],
  [set(['mutations', 0, 'args'], undefined), 'mutations[0].args'],
  [set(['mutations', 0, 'args'], { 0: 'x' }), 'mutations[0].args'],
  [set(['mutations', 0, 'args'], [nested(32)]), 'mutations[0].args'],
  [set(['mutations', 0, 'timestamp'], -1), 'mutations[0].timestamp'],
  [set(['mutations', 0, 'timestamp'], 'now'), 'mutations[0].timestamp'],
  [set(['mutations', 1, 'timestamp'], undefined), 'mutations[1].timestamp'],
  // The first offending field in the order of §5.1.
  [(b) => set(['clientID'], '')(set(['mutations', 0, 'id'], 0)(b)), 'clientID'],
  [(b) => set(['schemaVersion'], 0)(set(['clientGroupID'], '')(b)), 'schemaVersion'],
];

const PULL_CASES: readonly Case[] = [
  [() => 'pull', ''],
  [set(['clientID'], 'x y'), 'clientID'],
  [set(['resources'], undefined), 'resources'],
  [set(['resources'], '/items'), 'resources'],
  [set(['resources', 0], null), 'resources[0]'],
  [set(['resources', 0, 'path'], undefined), 'resources[0].path'],
  [set(['resources', 0, 'path'], 5), 'resources[0].path'],
  ...[
    'items',
    '/',
    '//items',
    '/items/',
    '/items/..',
    '/items/.',
    '/items/%2E%2E',
    '/items?x=1',
    '/items#x',
    '/it ems',
    '/items/%ZZ',
    '/items/%C3',
    '/items/%00',
    `/${'a'.repeat(512)}`,
  ].map((path): Case => [set(['resources', 0, 'path'], path), 'resources[0].path']),
  [set(['resources', 1, 'path'], '/items/..'), 'resources[1].path'],
  [set(['resources', 1, 'path'], '/items'), 'resources[1].path'],
  [set(['resources', 0, 'cursor'], undefined), 'resources[0].cursor'],
  [set(['resources', 0, 'cursor'], ''), 'resources[0].cursor'],
  [set(['resources', 0, 'cursor'], 'c'.repeat(1025)), 'resources[0].cursor'],
  [set(['resources', 0, 'cursor'], 5), 'resources[0].cursor'],
];

async function notJSON(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const bodies: readonly [string, string | Uint8Array<ArrayBuffer>][] = [
    ['a truncated object', '{"protocolVersion": 1,'],
    ['an empty body', ''],
    ['bytes that are not UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ];
  for (const endpoint of ['push', 'pull']) {
    for (const [what, raw] of bodies) {
      const answer = await t.send(endpoint, `${endpoint} of ${what}`, { raw, auth: bearer(a.user) });
      expectError(answer, 400, 'BAD_REQUEST');
    }
  }
}

async function wrongContentType(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const types = ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', null];
  for (const contentType of types) {
    const answer = await t.send('push', `push sent as ${contentType ?? 'no Content-Type'}`, {
      json: pushBody(a, []),
      contentType,
      auth: bearer(a.user),
    });
    expectError(answer, 400, 'BAD_REQUEST');
  }
}

async function runCases(t: TestRun, endpoint: string, valid: (a: Actor) => Body, cases: readonly Case[]) {
  const wrong: string[] = [];
  for (const [spoil, field] of cases) {
    const a = actor(t, t.user('a'));
    const body = spoil(valid(a));
    const answer = await t.send(endpoint, `${endpoint} naming ${field || 'the body'}`, {
      json: body,
      auth: bearer(a.user),
    });
    try {
      expectError(answer, 400, 'BAD_REQUEST', { field });
    } catch {
      const got = (answer.json as { error?: { field?: unknown } } | undefined)?.error?.field;
      wrong.push(
        `${JSON.stringify(body).slice(0, 90)} → ${summary(answer)}, field ${JSON.stringify(got)} (want ${JSON.stringify(field)})`,
      );
    }
  }
  if (wrong.length > 0)
    fail(`${wrong.length} of ${cases.length} bad bodies: ${wrong.slice(0, 3).join(' | ')}`);
}

const validPush = (a: Actor): Body => ({
  ...pushBody(
    a,
    mutations(1, [
      ['putItem', 'i', 't', 1],
      ['deleteItem', 'i'],
    ]),
  ),
});
const validPull = (a: Actor): Body => ({
  ...pullBody(a, [
    { path: '/items', cursor: null },
    { path: '/items/x', cursor: 'c' },
  ]),
});

export const malformedChecks: readonly Check[] = [
  { name: 'malformed: a body that is not JSON → 400', run: notJSON },
  { name: 'malformed: another Content-Type → 400', run: wrongContentType },
  {
    name: 'malformed: each bad push field → 400 naming it',
    run: (t) => runCases(t, 'push', validPush, PUSH_CASES),
  },
  {
    name: 'malformed: each bad pull field → 400 naming it',
    run: (t) => runCases(t, 'pull', validPull, PULL_CASES),
  },
];
