import { describe, expect, it } from 'vitest';
import { expectFailure, pushRequest, pushResponse } from './fixtures.js';
import { parsePushRequest, parsePushResponse } from './parse.js';

/** `[1, <hole>, 3]`: JSON.stringify would send `null` where the mutator saw `undefined`. */
const holey = (): unknown[] => {
  const array: unknown[] = [1];
  array[2] = 3;
  return array;
};

describe('parsePushRequest', () => {
  it('returns a valid request, without the fields v1 does not define', () => {
    const input = { ...pushRequest(), future: 'ignored' };
    input.mutations[0] = { ...input.mutations[0]!, ...{ priority: 1 } };
    const request = parsePushRequest(input);
    expect(request).toEqual(pushRequest());
    expect(request).not.toHaveProperty('future');
  });

  it('accepts an empty push and any first id', () => {
    expect(parsePushRequest({ ...pushRequest(), mutations: [] }).mutations).toEqual([]);
    const one = { id: 1, name: 'm', args: [], timestamp: 0 };
    expect(parsePushRequest({ ...pushRequest(), mutations: [one] }).mutations).toEqual([one]);
  });

  it.each([
    ['clientGroupID', { clientGroupID: undefined }],
    ['clientID', { clientID: 'has/slash' }],
    ['clientID', { clientID: 'x'.repeat(65) }],
    ['clientID', { clientID: '' }],
    ['schemaVersion', { schemaVersion: 0 }],
    ['schemaVersion', { schemaVersion: 2.5 }],
    ['mutations', { mutations: {} }],
    ['mutations', { mutations: undefined }],
  ])('names %s when the envelope is wrong (%j)', (field, patch) => {
    const input: Record<string, unknown> = { ...pushRequest(), ...patch };
    for (const [key, value] of Object.entries(patch)) if (value === undefined) delete input[key];
    expectFailure(() => parsePushRequest(input), field);
  });

  it.each([
    ['mutations[1].id', { id: 0 }],
    ['mutations[1].id', { id: -1 }],
    ['mutations[1].id', { id: 1.5 }],
    ['mutations[1].id', { id: '8' }],
    ['mutations[1].id', { id: 2 ** 53 }],
    ['mutations[1].name', { name: '' }],
    ['mutations[1].name', { name: 'n'.repeat(129) }],
    ['mutations[1].name', { name: 42 }],
    ['mutations[1].args', { args: 'b-9' }],
    ['mutations[1].args', { args: { 0: 'b-9' } }],
    ['mutations[1].timestamp', { timestamp: -5 }],
    ['mutations[1].timestamp', { timestamp: Number.NaN }],
    ['mutations[1].args[0]', { args: [undefined] }],
    ['mutations[1].args[1]', { args: [1, Number.POSITIVE_INFINITY] }],
    ['mutations[1].args[0].when', { args: [{ when: new Date(0) }] }],
    ['mutations[1].args[0]', { args: [() => 1] }],
    ['mutations[1].args[0]', { args: [10n] }],
    ['mutations[1].args[1]', { args: holey() }],
  ])('names %s for a bad mutation field (case %#)', (field, change) => {
    const input = pushRequest();
    input.mutations[1] = { ...input.mutations[1]!, ...(change as object) };
    expectFailure(() => parsePushRequest(input), field);
  });

  it('names a missing mutation field', () => {
    const input = pushRequest();
    const { name: _, ...noName } = input.mutations[2]!;
    (input.mutations as unknown[])[2] = noName;
    expect(expectFailure(() => parsePushRequest(input), 'mutations[2].name').message).toContain('is missing');
  });

  it('requires ids to go up by exactly one within a push', () => {
    const input = pushRequest();
    input.mutations[2]!.id = 11;
    const error = expectFailure(() => parsePushRequest(input), 'mutations[2].id');
    expect(error.message).toBe(
      'Invalid push request: mutations[2].id must be 9: ids go up by exactly one (the first is 7).',
    );
    input.mutations[2]!.id = 8;
    expectFailure(() => parsePushRequest(input), 'mutations[2].id');
  });

  it('accepts args nested 32 levels deep and refuses 33', () => {
    const nest = (levels: number): unknown => (levels === 1 ? [] : [nest(levels - 1)]);
    const input = pushRequest();
    input.mutations[0]!.args = nest(32) as string[];
    expect(parsePushRequest(input).mutations[0]!.args).toEqual(nest(32));
    input.mutations[0]!.args = nest(33) as string[];
    expect(expectFailure(() => parsePushRequest(input), 'mutations[0].args').message).toContain('32 levels');
  });

  it('refuses a cycle in args without overflowing the stack', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    const input = pushRequest();
    input.mutations[0]!.args = cyclic as string[];
    expectFailure(() => parsePushRequest(input), 'mutations[0].args');
  });

  it('answers TOO_LARGE past the mutation count limit, which a server may set', () => {
    const mutations = Array.from({ length: 1001 }, (_, i) => ({
      id: i + 1,
      name: 'm',
      args: [],
      timestamp: 0,
    }));
    const input = { ...pushRequest(), mutations };
    const error = expectFailure(() => parsePushRequest(input), 'mutations', 'TOO_LARGE');
    expect((error as { details?: unknown }).details).toEqual({ field: 'mutations', limit: 1000 });
    expect(parsePushRequest({ ...input, mutations: mutations.slice(0, 1000) }).mutations).toHaveLength(1000);
    const limits = { maxMutationsPerPush: 10, maxResourcesPerPull: 100 };
    expectFailure(
      () => parsePushRequest({ ...input, mutations: mutations.slice(0, 11) }, limits),
      'mutations',
      'TOO_LARGE',
    );
  });
});

describe('parsePushResponse', () => {
  it('returns a valid response', () => {
    expect(parsePushResponse(pushResponse())).toEqual(pushResponse());
  });

  it.each([
    ['results[0].ok', (r: any) => (r.results[0].ok = 'yes')],
    ['results[0].ok', (r: any) => delete r.results[0].ok],
    ['results[0].duplicate', (r: any) => (r.results[0].duplicate = false)],
    ['results[1].error', (r: any) => delete r.results[1].error],
    ['results[1].error.code', (r: any) => (r.results[1].error.code = '')],
    ['results[1].error.message', (r: any) => (r.results[1].error.message = null)],
    ['results[2].id', (r: any) => (r.results[2].id = 10)],
    ['results[2]', (r: any) => (r.results[2] = 9)],
    ['lastMutationIDs', (r: any) => (r.lastMutationIDs = [])],
    ['lastMutationIDs.other_client', (r: any) => (r.lastMutationIDs.other_client = -1)],
    ['lastMutationIDs["a b"]', (r: any) => (r.lastMutationIDs['a b'] = 1)],
    ['protocolVersion', (r: any) => (r.protocolVersion = 2)],
  ])('names %s', (field, corrupt) => {
    const response = pushResponse();
    corrupt(response);
    expectFailure(() => parsePushResponse(response), field);
  });

  it('checks that it answers the request it is given', () => {
    const request = parsePushRequest(pushRequest());
    expect(parsePushResponse(pushResponse(), request).results).toHaveLength(3);
    const short = pushResponse();
    short.results.pop();
    expectFailure(() => parsePushResponse(short, request), 'results');
    const shifted = pushResponse();
    for (const result of shifted.results) result.id++;
    expectFailure(() => parsePushResponse(shifted, request), 'results[0].id');
    const behind = { ...pushResponse(), lastMutationIDs: { 'c-R7nB2dYs5JkQ1vHc': 8 } };
    expectFailure(() => parsePushResponse(behind, request), 'lastMutationIDs["c-R7nB2dYs5JkQ1vHc"]');
    const missing = { ...pushResponse(), lastMutationIDs: {} };
    expectFailure(() => parsePushResponse(missing, request), 'lastMutationIDs["c-R7nB2dYs5JkQ1vHc"]');
  });
});
