/** The server suite's request tests: the checks of PROTOCOL.md §2.2 and the error bodies. */
import { describe, expect, it } from 'vitest';
import type { SuiteState } from './server-suite.js';
import { Api, appHandler } from './test-app.js';

const _m = (id: number, name: string, ...args: unknown[]) => ({ id, name, args });

export function requestTests(s: SuiteState): void {
  describe('requests', () => {
    const pushBody = (over: Record<string, unknown> = {}) => ({
      protocolVersion: 1,
      schemaVersion: 1,
      clientGroupID: 'g1',
      clientID: 'c1',
      mutations: [],
      ...over,
    });
    const error = async (response: Response) => {
      const text = await response.text();
      expect(text).not.toMatch(/\n\s+at |stack|select \*|secret/i);
      return { status: response.status, headers: response.headers, ...(JSON.parse(text) as { error: any }) };
    };

    it('method, URL, content type, body size and credentials are checked in order', async () => {
      const get = await error(await s.api.send('push', undefined, { method: 'GET' }));
      expect([get.status, get.error.code, get.headers.get('allow')]).toEqual([
        405,
        'METHOD_NOT_ALLOWED',
        'POST',
      ]);
      expect((await error(await s.api.send('other', pushBody()))).error.code).toBe('NOT_FOUND');
      const type = await error(
        await s.api.send('push', pushBody(), { headers: { 'content-type': 'text/plain' } }),
      );
      expect([type.status, type.error.code]).toEqual([400, 'BAD_REQUEST']);
      const big = await error(
        await s.api.send('push', pushBody({ pad: 'x'.repeat(1024 * 1024) }), { user: null }),
      );
      expect([big.status, big.error]).toEqual([
        413,
        expect.objectContaining({ code: 'TOO_LARGE', limit: 1048576 }),
      ]);
      const anonymous = await error(await s.api.send('push', pushBody(), { user: null }));
      expect([anonymous.status, anonymous.error.code, anonymous.headers.get('www-authenticate')]).toEqual([
        401,
        'UNAUTHORIZED',
        'Bearer',
      ]);
      const limited = await error(await s.api.send('push', pushBody(), { user: 'limited' }));
      expect([limited.status, limited.error.retryAfter, limited.headers.get('retry-after')]).toEqual([
        429,
        7,
        '7',
      ]);
    });

    it('malformed bodies get 400 with the field; versions get 409; counts get 413', async () => {
      const notJson = await error(await s.api.send('push', '{"protocolVersion": 1,'));
      expect([notJson.status, notJson.error]).toEqual([
        400,
        expect.objectContaining({ code: 'BAD_REQUEST', field: '' }),
      ]);
      const badId = await error(
        await s.api.send('push', pushBody({ mutations: [{ id: 0, name: 'x', args: [], timestamp: 1 }] })),
      );
      expect([badId.status, badId.error.field]).toEqual([400, 'mutations[0].id']);
      const skip = await error(
        await s.api.send(
          'push',
          pushBody({ mutations: [1, 3].map((id) => ({ id, name: 'x', args: [], timestamp: 1 })) }),
        ),
      );
      expect([skip.status, skip.error.field]).toEqual([400, 'mutations[1].id']);
      const path = await error(
        await s.api.send('pull', {
          ...pushBody(),
          mutations: undefined,
          resources: [{ path: '/a/../b', cursor: null }],
        }),
      );
      expect([path.status, path.error.field]).toEqual([400, 'resources[0].path']);
      const protocol = await error(await s.api.send('push', pushBody({ protocolVersion: 2, clientID: 7 })));
      expect([protocol.status, protocol.error]).toEqual([
        409,
        expect.objectContaining({
          code: 'VERSION_MISMATCH',
          field: 'protocolVersion',
          supportedProtocolVersions: [1],
        }),
      ]);
      const text = await error(await s.api.send('push', pushBody({ protocolVersion: '1' })));
      expect([text.status, text.error.field]).toEqual([400, 'protocolVersion']);
      const schemaV = await error(
        await s.api.send('pull', { ...pushBody({ schemaVersion: 2 }), resources: [] }),
      );
      expect([schemaV.status, schemaV.error]).toEqual([
        409,
        expect.objectContaining({ field: 'schemaVersion', minSchemaVersion: 1, maxSchemaVersion: 1 }),
      ]);
      const few = new Api(appHandler(s.db, { limits: { maxMutationsPerPush: 2 } }));
      const many = await error(
        await few.send(
          'push',
          pushBody({ mutations: [1, 2, 3].map((id) => ({ id, name: 'x', args: [], timestamp: 1 })) }),
        ),
      );
      expect([many.status, many.error]).toEqual([
        413,
        expect.objectContaining({ field: 'mutations', limit: 2 }),
      ]);
    });

    it('unexpected errors are 500 "The server failed." with nothing internal', async () => {
      const broken = await error(
        await s.api.send('pull', { ...pushBody(), resources: [{ path: '/broken', cursor: null }] }),
      );
      expect([broken.status, broken.error]).toEqual([
        500,
        { code: 'SERVER_ERROR', message: 'The server failed.' },
      ]);
    });
  });
}
