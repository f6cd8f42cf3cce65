import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectFailure, pullRequest, pushRequest, pushResponse } from './fixtures.js';
import {
  type PullRequest,
  type PushRequest,
  parseErrorBody,
  parsePullRequest,
  parsePullResponse,
  parsePushRequest,
  parsePushResponse,
} from './index.js';

describe('PROTOCOL.md', () => {
  const text = readFileSync(new URL('../../../../PROTOCOL.md', import.meta.url), 'utf8');
  const blocks = [...text.matchAll(/```json ([a-z-]+)\n([\s\S]*?)```/g)].map(([, kind, body]) => ({
    kind: kind!,
    json: JSON.parse(body!) as unknown,
  }));

  it('has examples of every message', () => {
    const kinds = new Set(blocks.map((b) => b.kind));
    expect([...kinds].sort()).toEqual([
      'error-body',
      'pull-request',
      'pull-response',
      'push-request',
      'push-response',
    ]);
  });

  it('has only examples the validators accept, each response answering the request before it', () => {
    let push: PushRequest | undefined;
    let pull: PullRequest | undefined;
    for (const { kind, json } of blocks) {
      if (kind === 'push-request') push = parsePushRequest(json);
      else if (kind === 'pull-request') pull = parsePullRequest(json);
      else if (kind === 'push-response') parsePushResponse(json, push);
      else if (kind === 'pull-response') parsePullResponse(json, pull);
      else parseErrorBody(json);
    }
  });
});

describe('versions', () => {
  it.each([
    ['push', parsePushRequest, pushRequest],
    ['pull', parsePullRequest, pullRequest],
  ] as const)(
    'a %s request of another protocol version is VERSION_MISMATCH, whatever its body',
    (_, parse, make) => {
      const error = expectFailure(
        () => parse({ protocolVersion: 2, anything: 'else' }),
        'protocolVersion',
        'VERSION_MISMATCH',
      );
      expect(error).toMatchObject({ details: { protocolVersion: 2 } });
      expectFailure(() => parse({ ...make(), protocolVersion: '1' }), 'protocolVersion');
      expectFailure(() => parse({ ...make(), protocolVersion: 0 }), 'protocolVersion');
      expectFailure(() => parse({ ...make(), protocolVersion: undefined }), 'protocolVersion');
      for (const body of [null, [], 'push', 1]) {
        const e = expectFailure(() => parse(body), '');
        expect(e.message).toContain('the body must be a JSON object');
      }
    },
  );
});

describe('prototype safety', () => {
  it('parses bodies with __proto__ and constructor keys without touching any prototype', () => {
    const request = parsePushRequest(
      JSON.parse(`{
        "__proto__": { "polluted": true }, "constructor": { "prototype": { "polluted": true } },
        "protocolVersion": 1, "schemaVersion": 1, "clientGroupID": "g", "clientID": "__proto__",
        "mutations": [{ "id": 1, "name": "__proto__", "args": [{ "__proto__": { "polluted": true } }],
                        "timestamp": 0, "__proto__": { "polluted": true } }]
      }`),
    );
    expect(request.mutations[0]!.name).toBe('__proto__');
    expect(Object.getPrototypeOf(request)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(request.mutations[0])).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('keeps every client id of lastMutationIDs, in an object with no prototype', () => {
    const json = JSON.parse(
      '{ "protocolVersion": 1, "results": [], "lastMutationIDs": { "__proto__": 3, "constructor": 4, "c-1": 5 } }',
    );
    const { lastMutationIDs } = parsePushResponse(json);
    expect(Object.getPrototypeOf(lastMutationIDs)).toBeNull();
    expect({ ...lastMutationIDs }).toEqual(JSON.parse('{ "__proto__": 3, "constructor": 4, "c-1": 5 }'));
    expect(lastMutationIDs.toString).toBeUndefined();
    expect(lastMutationIDs.constructor).toBe(4);
  });

  it('reads a missing client as undefined, not as an inherited value', () => {
    const { lastMutationIDs } = parsePushResponse(pushResponse());
    expect(lastMutationIDs.hasOwnProperty).toBeUndefined();
  });
});

describe('parseErrorBody', () => {
  it.each([
    { code: 'BAD_REQUEST', message: 'Invalid push request: clientID is missing.', field: 'clientID' },
    { code: 'UNAUTHORIZED', message: 'Sign in again.' },
    { code: 'TOO_LARGE', message: 'Too big.', limit: 1048576 },
    { code: 'TOO_LARGE', message: 'Too many.', field: 'mutations', limit: 1000 },
    { code: 'RATE_LIMITED', message: 'Slow down.', retryAfter: 30 },
    { code: 'MUTATION_ID_GAP', message: 'Send 10 first.', field: 'mutations[0].id', lastMutationID: 9 },
    {
      code: 'VERSION_MISMATCH',
      message: 'Update the app.',
      supportedProtocolVersions: [1],
      minSchemaVersion: 4,
      maxSchemaVersion: 5,
    },
    { code: 'SOMETHING_NEW', message: 'A code from a later server.' },
  ])('accepts $code', (error) => {
    expect(parseErrorBody({ error: { ...error, extra: 'ignored' } })).toEqual({ error });
  });

  it.each([
    ['', null],
    ['error', {}],
    ['error.code', { error: { code: '', message: 'm' } }],
    ['error.message', { error: { code: 'X' } }],
    ['error.limit', { error: { code: 'TOO_LARGE', message: 'm' } }],
    ['error.limit', { error: { code: 'TOO_LARGE', message: 'm', limit: -1 } }],
    ['error.retryAfter', { error: { code: 'RATE_LIMITED', message: 'm' } }],
    ['error.lastMutationID', { error: { code: 'MUTATION_ID_GAP', message: 'm' } }],
    ['error.supportedProtocolVersions', { error: { code: 'VERSION_MISMATCH', message: 'm' } }],
    [
      'error.supportedProtocolVersions',
      {
        error: { code: 'VERSION_MISMATCH', message: 'm', supportedProtocolVersions: [], minSchemaVersion: 1 },
      },
    ],
    [
      'error.maxSchemaVersion',
      {
        error: {
          code: 'VERSION_MISMATCH',
          message: 'm',
          supportedProtocolVersions: [1],
          minSchemaVersion: 1,
        },
      },
    ],
  ])('names %s (case %#)', (field, body) => {
    expectFailure(() => parseErrorBody(body), field);
  });
});
