/** Test fixtures for protocol/: one valid message of each kind, and an assertion on parse failures. */
import { expect } from 'vitest';
import { isSSSyncError, type SSSyncErrorCode } from '../util/errors.js';

export const pushRequest = () => ({
  protocolVersion: 1,
  schemaVersion: 3,
  clientGroupID: 'g-Xq3fK9vT2mPa8LwZ',
  clientID: 'c-R7nB2dYs5JkQ1vHc',
  mutations: [
    { id: 7, name: 'createBook', args: ['b-4', 'Ubik'], timestamp: 1767225600000 },
    { id: 8, name: 'renameBook', args: [{ id: 'b-9', title: 'Mine' }], timestamp: 1767225601250 },
    {
      id: 9,
      name: 'setPageCount',
      args: ['b-4', 202, null, true, { deep: [[1]] }],
      timestamp: 1767225602000,
    },
  ],
});

export const pushResponse = () => ({
  protocolVersion: 1,
  results: [
    { id: 7, ok: true, duplicate: true },
    { id: 8, ok: false, error: { code: 'FORBIDDEN', message: 'Only the owner may rename it.' } },
    { id: 9, ok: true },
  ],
  lastMutationIDs: { 'c-R7nB2dYs5JkQ1vHc': 9, other_client: 31 },
});

export const pullRequest = () => ({
  protocolVersion: 1,
  schemaVersion: 3,
  clientGroupID: 'g-Xq3fK9vT2mPa8LwZ',
  clientID: 'c-R7nB2dYs5JkQ1vHc',
  resources: [
    { path: '/user/books', cursor: 'c1.400.s' },
    { path: '/api/library/42', cursor: null },
  ],
});

export const pullResponse = () => ({
  protocolVersion: 1,
  resources: [
    {
      path: '/user/books',
      cursor: 'c1.41a.s',
      patch: [
        { op: 'put', table: 'books', row: { id: 'b-1', title: 'Dune', pageCount: 412, authorId: null } },
        { op: 'del', table: 'books', id: 'b-2' },
      ],
      more: false,
    },
    {
      path: '/api/library/42',
      cursor: 'c1.41a.p.7',
      patch: [{ op: 'clear' }, { op: 'put', table: 'authors', row: { id: 7, name: 'Frank Herbert' } }],
      more: true,
    },
  ],
  lastMutationIDs: { 'c-R7nB2dYs5JkQ1vHc': 6 },
});

/** Asserts that `run` throws an `SSSyncError` with this code whose `details.field` is `field`. */
export function expectFailure(run: () => unknown, field: string, code: SSSyncErrorCode = 'PROTOCOL'): Error {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  if (!isSSSyncError(error)) throw new Error(`expected an SSSyncError, got ${String(error)}`);
  expect({ code: error.code, field: error.details?.field }).toEqual({ code, field });
  if (field !== '') expect(error.message).toContain(field);
  return error;
}
