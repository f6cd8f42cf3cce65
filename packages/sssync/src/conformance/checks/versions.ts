/** PROTOCOL.md §3: protocol and schema versions. */
import type { Check } from '../check.js';
import { actor, expectError, pullBody, pushBody } from '../protocol-client.js';
import { bearer, type TestRun } from '../test-run.js';

const ENDPOINTS = ['push', 'pull'] as const;

async function protocolVersionTwo(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  for (const endpoint of ENDPOINTS) {
    // A version-2 body may follow any format: the version is checked before the rest.
    const answer = await t.send(endpoint, `${endpoint} with protocolVersion 2`, {
      json: { protocolVersion: 2, clientGroupID: 5, somethingNew: [] },
      auth: bearer(a.user),
    });
    expectError(answer, 409, 'VERSION_MISMATCH', {
      field: 'protocolVersion',
      supportedProtocolVersions: [1],
    });
  }
}

async function schemaVersionTwo(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const bodies = { push: pushBody(a, []), pull: pullBody(a, [{ path: '/items', cursor: null }]) };
  for (const endpoint of ENDPOINTS) {
    const answer = await t.send(endpoint, `${endpoint} with schemaVersion 2`, {
      json: { ...bodies[endpoint], schemaVersion: 2 },
      auth: bearer(a.user),
    });
    expectError(answer, 409, 'VERSION_MISMATCH', {
      field: 'schemaVersion',
      supportedProtocolVersions: [1],
      minSchemaVersion: 1,
      maxSchemaVersion: 1,
    });
  }
}

async function protocolVersionString(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  const bodies = { push: pushBody(a, []), pull: pullBody(a, []) };
  for (const endpoint of ENDPOINTS) {
    const answer = await t.send(endpoint, `${endpoint} with protocolVersion "1"`, {
      json: { ...bodies[endpoint], protocolVersion: '1' },
      auth: bearer(a.user),
    });
    expectError(answer, 400, 'BAD_REQUEST', { field: 'protocolVersion' });
  }
}

export const versionChecks: readonly Check[] = [
  { name: 'versions: protocolVersion 2 → 409 VERSION_MISMATCH', run: protocolVersionTwo },
  { name: 'versions: schemaVersion 2 → 409 VERSION_MISMATCH (min = max = 1)', run: schemaVersionTwo },
  { name: 'versions: protocolVersion "1" → 400 naming protocolVersion', run: protocolVersionString },
];
