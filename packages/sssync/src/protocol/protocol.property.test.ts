import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as gen from './arbitraries.js';
import { formatFieldPath } from './field-path.js';
import { expectFailure } from './fixtures.js';
import { parsePullRequest, parsePullResponse, parsePushRequest, parsePushResponse } from './parse.js';

type Key = string | number;
/** A bad value for a field; `suffix` when the parser names a field inside it. */
type Bad = { value: unknown; suffix?: Key[] };
/** Where a corruption may go (`*`: any index, or any key of a map) and the bad values it may take. */
type Slot = { path: Key[]; bad: Bad[]; required?: boolean };

const bad = (...values: unknown[]): Bad[] => values.map((value) => ({ value }));
const deep = (levels: number): unknown => (levels === 1 ? [] : [deep(levels - 1)]);

const ids = bad('', 'a b', 'é', 'x'.repeat(65), 7, null);
const positive = bad(0, -1, 1.5, '1', null, 2 ** 53, Number.NaN);
const natural = bad(-1, 1.5, '0', null, Number.POSITIVE_INFINITY);
const paths = bad(null, 7, 'a', '/a/../b', '/a/%2e', '/a//b', '/a/', '/a?b', '/a b', `/${'a'.repeat(512)}`);
const cursors = bad(7, '', 'c'.repeat(1025), {});
const booleans = bad('true', 1, null);

const envelope = (required: boolean): Slot[] => [
  { path: ['protocolVersion'], bad: bad('1', 0, 1.5, null), required },
  { path: ['schemaVersion'], bad: positive, required },
  { path: ['clientGroupID'], bad: ids, required },
  { path: ['clientID'], bad: ids, required },
];

const pushRequestSlots: Slot[] = [
  ...envelope(true),
  { path: ['mutations'], bad: bad({}, 'x', null), required: true },
  { path: ['mutations', '*'], bad: bad(1, 'x', null, []) },
  { path: ['mutations', '*', 'id'], bad: positive, required: true },
  { path: ['mutations', '*', 'name'], bad: bad('', 'n'.repeat(129), 1, null), required: true },
  {
    path: ['mutations', '*', 'args'],
    required: true,
    bad: [
      ...bad('x', {}, null, 1),
      { value: deep(33) },
      { value: [undefined], suffix: [0] },
      { value: ['ok', Number.NaN], suffix: [1] },
      { value: [{ when: new Date(0) }], suffix: [0, 'when'] },
    ],
  },
  { path: ['mutations', '*', 'timestamp'], bad: natural, required: true },
];

const lastMutationIDSlots: Slot[] = [
  { path: ['lastMutationIDs'], bad: bad([], null, 'x', 1), required: true },
  { path: ['lastMutationIDs', '*'], bad: natural },
];

const pushResponseSlots: Slot[] = [
  { path: ['protocolVersion'], bad: bad(2, '1', null), required: true },
  { path: ['results'], bad: bad({}, null), required: true },
  { path: ['results', '*'], bad: bad(1, null, 'ok') },
  { path: ['results', '*', 'id'], bad: positive, required: true },
  { path: ['results', '*', 'ok'], bad: booleans, required: true },
  { path: ['results', '*', 'duplicate'], bad: bad(false, 'true', null) },
  { path: ['results', '*', 'error'], bad: bad(null, 'x', 1), required: true },
  { path: ['results', '*', 'error', 'code'], bad: bad('', 1, null, 'C'.repeat(65)), required: true },
  { path: ['results', '*', 'error', 'message'], bad: bad(1, null), required: true },
  ...lastMutationIDSlots,
];

const pullRequestSlots: Slot[] = [
  ...envelope(true),
  { path: ['resources'], bad: bad({}, null), required: true },
  { path: ['resources', '*'], bad: bad(1, null, '/a') },
  { path: ['resources', '*', 'path'], bad: paths, required: true },
  { path: ['resources', '*', 'cursor'], bad: cursors, required: true },
];

const pullResponseSlots: Slot[] = [
  { path: ['protocolVersion'], bad: bad(2, '1', null), required: true },
  { path: ['resources', '*', 'path'], bad: paths, required: true },
  { path: ['resources', '*', 'cursor'], bad: [...cursors, { value: null }], required: true },
  { path: ['resources', '*', 'more'], bad: booleans, required: true },
  { path: ['resources', '*', 'patch'], bad: bad(null, {}, 'x'), required: true },
  {
    path: ['resources', '*', 'patch', '*'],
    bad: [...bad(1, null), { value: { op: 'nope' }, suffix: ['op'] }],
  },
  { path: ['resources', '*', 'patch', '*', 'op'], bad: bad('upsert', 1), required: true },
  { path: ['resources', '*', 'patch', '*', 'table'], bad: bad('', 1, null, 't'.repeat(129)), required: true },
  {
    path: ['resources', '*', 'patch', '*', 'row'],
    required: true,
    bad: [...bad([], null, 1), { value: {}, suffix: ['id'] }, { value: { id: null }, suffix: ['id'] }],
  },
  {
    path: ['resources', '*', 'patch', '*', 'id'],
    bad: bad(null, {}, true, Number.POSITIVE_INFINITY),
    required: true,
  },
  ...lastMutationIDSlots,
];

/** Every concrete path of `value` that `template` describes. */
function expand(value: unknown, template: readonly Key[], prefix: Key[] = []): Key[][] {
  if (template.length === 0) return [prefix];
  if (typeof value !== 'object' || value === null) return [];
  const [head, ...rest] = template;
  const keys = head === '*' ? Object.keys(value).map((k) => (Array.isArray(value) ? Number(k) : k)) : [head!];
  return keys
    .filter((key) => Object.hasOwn(value, key))
    .flatMap((key) => expand((value as Record<Key, unknown>)[key], rest, [...prefix, key]));
}

type Corruption = { apply: (message: any) => void; field: string };

/** Every single corruption the slots allow in `message`: each bad value at each place, and each deletion. */
function corruptions(message: unknown, slots: readonly Slot[]): Corruption[] {
  const at = (m: any, path: readonly Key[]) => path.slice(0, -1).reduce((parent, key) => parent[key], m);
  return slots.flatMap(({ path: template, bad: values, required }) =>
    expand(message, template).flatMap((path) => {
      const last = path.at(-1)!;
      const sets = values.map(({ value, suffix = [] }) => ({
        apply: (m: any) => {
          at(m, path)[last] = value;
        },
        field: formatFieldPath([...path, ...suffix]),
      }));
      const deletion = { apply: (m: any) => delete at(m, path)[last], field: formatFieldPath(path) };
      return required ? [...sets, deletion] : sets;
    }),
  );
}

const cases = [
  { name: 'push request', arb: gen.pushRequest, parse: parsePushRequest, slots: pushRequestSlots },
  { name: 'push response', arb: gen.pushResponse, parse: parsePushResponse, slots: pushResponseSlots },
  { name: 'pull request', arb: gen.pullRequest, parse: parsePullRequest, slots: pullRequestSlots },
  { name: 'pull response', arb: gen.pullResponse, parse: parsePullResponse, slots: pullResponseSlots },
] as const;

describe.each(cases)('$name', ({ arb, parse, slots }) => {
  it('parses every valid message to itself', () => {
    fc.assert(
      fc.property(arb, (message) => {
        expect(parse(message as never)).toEqual(message);
      }),
    );
  });

  it('rejects any single corruption, naming the corrupted field', () => {
    const withCorruption = arb.chain((message) => {
      const all = corruptions(message, slots);
      return fc.constantFrom(...all).map((corruption) => ({ message, corruption }));
    });
    fc.assert(
      fc.property(withCorruption, ({ message, corruption }) => {
        const corrupted = structuredClone(message);
        corruption.apply(corrupted);
        expectFailure(() => parse(corrupted as never), corruption.field);
      }),
      { numRuns: 500 },
    );
  });
});

describe('cross-field rules', () => {
  it('names the first mutation whose id does not follow the one before', () => {
    const arb = gen.pushRequest.filter((r) => r.mutations.length >= 2);
    fc.assert(
      fc.property(arb, fc.nat(), fc.integer({ min: 1, max: 2 ** 40 }), (request, pick, id) => {
        const at = 1 + (pick % (request.mutations.length - 1));
        fc.pre(id !== request.mutations[at]!.id);
        const corrupted = structuredClone(request);
        corrupted.mutations[at]!.id = id;
        expectFailure(() => parsePushRequest(corrupted), `mutations[${at}].id`);
      }),
    );
  });

  it('names a resource path listed twice, at its second place', () => {
    const arb = gen.pullRequest.filter((r) => r.resources.length >= 2);
    fc.assert(
      fc.property(arb, (request) => {
        const corrupted = structuredClone(request);
        const last = corrupted.resources.length - 1;
        corrupted.resources[last]!.path = corrupted.resources[0]!.path;
        expectFailure(() => parsePullRequest(corrupted), `resources[${last}].path`);
      }),
    );
  });

  it('names a "clear" anywhere but first', () => {
    const arb = gen.pullResponse.filter((r) => r.resources.some((res) => res.patch.length >= 1));
    fc.assert(
      fc.property(arb, fc.nat(), (response, pick) => {
        const corrupted = structuredClone(response);
        const i = corrupted.resources.findIndex((res) => res.patch.length >= 1);
        const patch = corrupted.resources[i]!.patch as unknown[];
        const at = 1 + (pick % patch.length);
        patch.splice(at, 0, { op: 'clear' });
        expectFailure(() => parsePullResponse(corrupted), `resources[${i}].patch[${at}]`);
      }),
    );
  });

  it('names a lastMutationIDs key that is not a client id', () => {
    fc.assert(
      fc.property(gen.pushResponse, fc.constantFrom('a b', '', 'é', 'x'.repeat(65)), (response, key) => {
        const corrupted = { ...response, lastMutationIDs: { ...response.lastMutationIDs, [key]: 1 } };
        expectFailure(() => parsePushResponse(corrupted), formatFieldPath(['lastMutationIDs', key]));
      }),
    );
  });
});
