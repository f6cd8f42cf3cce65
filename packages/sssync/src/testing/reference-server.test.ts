import { describe, expect, it } from 'vitest';
import { testModeOptions } from '../server/test-mode.js';
import { ReferenceServer } from './reference-server.js';

const URL_BASE = 'http://reference.test/sync';

function post(
  server: ReferenceServer<any, any>,
  endpoint: string,
  body: string,
  headers: Record<string, string> = {},
) {
  return server.fetch(`${URL_BASE}/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

const pushOf = (group: string, client: string, mutations: unknown[] = [], schemaVersion = 1) =>
  JSON.stringify({ protocolVersion: 1, schemaVersion, clientGroupID: group, clientID: client, mutations });

async function error(response: Response) {
  return {
    status: response.status,
    ...((await response.json()) as { error: Record<string, unknown> }).error,
  };
}

describe('ReferenceServer: order of checks (PROTOCOL.md §2.2)', () => {
  const server = new ReferenceServer(testModeOptions());

  it('content type, then size, then credentials, then JSON, then versions, then fields', async () => {
    const noAuth = {};
    expect(await error(await post(server, 'push', 'x', { 'content-type': 'text/plain' }))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await error(await post(server, 'push', ' '.repeat(1024 * 1024 + 1), noAuth))).toMatchObject({
      status: 413,
      limit: 1024 * 1024,
    });
    expect(await error(await post(server, 'push', 'not json', noAuth))).toMatchObject({ status: 401 });
    const auth = { authorization: 'Bearer user-x' };
    expect(await error(await post(server, 'push', 'not json', auth))).toMatchObject({ status: 400 });
    expect(
      await error(await post(server, 'push', '{"protocolVersion":2,"mutations":"?"}', auth)),
    ).toMatchObject({
      status: 409,
      field: 'protocolVersion',
    });
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: i + 1, name: '', args: 5, timestamp: 0 }));
    expect(await error(await post(server, 'push', pushOf('g', 'c', many, 9), auth))).toMatchObject({
      status: 413,
      field: 'mutations',
    });
    expect(await error(await post(server, 'push', pushOf('g', '', [], 9), auth))).toMatchObject({
      status: 400,
      field: 'clientID',
    });
    expect(await error(await post(server, 'push', pushOf('g', 'c', [], 9), auth))).toMatchObject({
      status: 409,
      code: 'VERSION_MISMATCH',
      field: 'schemaVersion',
      minSchemaVersion: 1,
      maxSchemaVersion: 1,
    });
  });

  it('answers another method with 405 and Allow before looking at the URL', async () => {
    const response = await server.fetch(`${URL_BASE}/nope`, { method: 'OPTIONS' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('ReferenceServer: options', () => {
  it('serves a range of schema versions', async () => {
    const options = testModeOptions();
    const server = new ReferenceServer({
      ...options,
      schema: { ...options.schema, version: 3 },
      minSchemaVersion: 2,
    });
    const auth = { authorization: 'Bearer user-x' };
    expect((await post(server, 'push', pushOf('g', 'c', [], 2), auth)).status).toBe(200);
    expect(await error(await post(server, 'push', pushOf('g', 'c', [], 1), auth))).toMatchObject({
      minSchemaVersion: 2,
      maxSchemaVersion: 3,
    });
  });

  it('matches the most literal pattern first and decodes parameters', async () => {
    const seen: string[] = [];
    const options = testModeOptions();
    const server = new ReferenceServer({
      ...options,
      resources: {
        '/items/:id': ({ params, query }) => {
          seen.push(`param ${params.id}`);
          return query.items.where('id', '=', params.id ?? '');
        },
        '/items/new': ({ query }) => {
          seen.push('literal');
          return query.items.where('id', '=', 'none');
        },
      },
    });
    const pull = JSON.stringify({
      protocolVersion: 1,
      schemaVersion: 1,
      clientGroupID: 'g',
      clientID: 'c',
      resources: [
        { path: '/items/new', cursor: null },
        { path: '/items/a%2Fb', cursor: null },
      ],
    });
    expect((await post(server, 'pull', pull, { authorization: 'Bearer user-x' })).status).toBe(200);
    expect(seen).toEqual(['literal', 'param a/b']);
  });

  it('refuses a byte limit under 512 KiB', () => {
    expect(() => new ReferenceServer({ ...testModeOptions(), limits: { maxRequestBytes: 1000 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
