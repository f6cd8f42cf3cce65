import { describe, expect, it } from 'vitest';
import { expectFailure, pullRequest, pullResponse } from './fixtures.js';
import { parsePullRequest, parsePullResponse } from './parse.js';

describe('parsePullRequest', () => {
  it('returns a valid request, without the fields v1 does not define', () => {
    const input = { ...pullRequest(), since: 5 };
    input.resources[1] = { ...input.resources[1]!, ...{ priority: 'high' } };
    expect(parsePullRequest(input)).toEqual(pullRequest());
  });

  it('accepts a pull of no resources (it answers lastMutationIDs only)', () => {
    expect(parsePullRequest({ ...pullRequest(), resources: [] }).resources).toEqual([]);
  });

  it.each([
    ['resources[0].path', { path: 'user/books' }],
    ['resources[0].path', { path: '/user/../admin' }],
    ['resources[0].path', { path: '/user/%2E%2E' }],
    ['resources[0].path', { path: '/user//books' }],
    ['resources[0].path', { path: '/user/books/' }],
    ['resources[0].path', { path: '/user/books?all=1' }],
    ['resources[0].path', { path: `/${'a'.repeat(512)}` }],
    ['resources[0].path', { path: 42 }],
    ['resources[0].cursor', { cursor: '' }],
    ['resources[0].cursor', { cursor: 'c'.repeat(1025) }],
    ['resources[0].cursor', { cursor: 7 }],
    ['resources[0].cursor', { cursor: undefined }],
  ])('names %s (case %#)', (field, change) => {
    const input = pullRequest();
    input.resources[0] = { ...input.resources[0]!, ...(change as object) };
    if ('cursor' in change && change.cursor === undefined)
      delete (input.resources[0] as { cursor?: unknown }).cursor;
    expectFailure(() => parsePullRequest(input), field);
  });

  it('accepts the longest path and cursor', () => {
    const input = pullRequest();
    input.resources[0] = { path: `/${'a'.repeat(511)}`, cursor: 'c'.repeat(1024) };
    expect(parsePullRequest(input).resources[0]).toEqual(input.resources[0]);
  });

  it('refuses a path listed twice', () => {
    const input = pullRequest();
    input.resources.push({ path: '/user/books', cursor: null });
    const error = expectFailure(() => parsePullRequest(input), 'resources[2].path');
    expect(error.message).toContain('appears twice');
  });

  it('answers TOO_LARGE past the resource count limit', () => {
    const resources = Array.from({ length: 101 }, (_, i) => ({ path: `/r/${i}`, cursor: null }));
    const error = expectFailure(
      () => parsePullRequest({ ...pullRequest(), resources }),
      'resources',
      'TOO_LARGE',
    );
    expect((error as { details?: unknown }).details).toEqual({ field: 'resources', limit: 100 });
    expect(parsePullRequest({ ...pullRequest(), resources: resources.slice(1) }).resources).toHaveLength(100);
  });
});

describe('parsePullResponse', () => {
  it('returns a valid response; rows keep all their columns', () => {
    const response = parsePullResponse(pullResponse());
    expect(response).toEqual(pullResponse());
  });

  it.each([
    ['resources[0].patch[0].op', (r: any) => (r.resources[0].patch[0].op = 'upsert')],
    ['resources[0].patch[0]', (r: any) => (r.resources[0].patch[0] = 'put')],
    ['resources[0].patch[0].table', (r: any) => (r.resources[0].patch[0].table = '')],
    ['resources[0].patch[0].row', (r: any) => (r.resources[0].patch[0].row = [1])],
    ['resources[0].patch[0].row.id', (r: any) => delete r.resources[0].patch[0].row.id],
    ['resources[0].patch[0].row.id', (r: any) => (r.resources[0].patch[0].row.id = null)],
    ['resources[0].patch[1].id', (r: any) => (r.resources[0].patch[1].id = { id: 'b-2' })],
    ['resources[0].patch[1].id', (r: any) => (r.resources[0].patch[1].id = Number.POSITIVE_INFINITY)],
    ['resources[0].patch[1]', (r: any) => (r.resources[0].patch[1] = { op: 'clear' })],
    ['resources[0].more', (r: any) => (r.resources[0].more = 'no')],
    ['resources[0].cursor', (r: any) => (r.resources[0].cursor = null)],
    ['resources[0].path', (r: any) => (r.resources[0].path = '/a/./b')],
    ['resources[1].path', (r: any) => (r.resources[1].path = '/user/books')],
    ['lastMutationIDs["c-R7nB2dYs5JkQ1vHc"]', (r: any) => (r.lastMutationIDs['c-R7nB2dYs5JkQ1vHc'] = 1.5)],
  ])('names %s (case %#)', (field, corrupt) => {
    const response = pullResponse();
    corrupt(response);
    expectFailure(() => parsePullResponse(response), field);
  });

  it('checks that it answers the request it is given', () => {
    const request = parsePullRequest(pullRequest());
    expect(parsePullResponse(pullResponse(), request).resources).toHaveLength(2);

    const swapped = pullResponse();
    swapped.resources.reverse();
    expectFailure(() => parsePullResponse(swapped, request), 'resources[0].path');

    const short = pullResponse();
    short.resources.pop();
    expectFailure(() => parsePullResponse(short, request), 'resources');

    const noClear = pullResponse();
    noClear.resources[1]!.patch.shift();
    const error = expectFailure(() => parsePullResponse(noClear, request), 'resources[1].patch');
    expect(error.message).toContain('full load');

    const stuck = pullResponse();
    stuck.resources[0] = { ...stuck.resources[0]!, cursor: 'c1.400.s', more: true };
    expectFailure(() => parsePullResponse(stuck, request), 'resources[0].cursor');
  });
});
