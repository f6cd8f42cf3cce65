import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteDatabase } from './dialects/sqlite.js';
import { toNodeHandler } from './node.js';
import { appHandler } from './test-app.js';

describe('toNodeHandler', () => {
  let server: Server | undefined;
  afterEach(
    () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server ? server.close(() => resolve()) : resolve();
      }),
  );

  const serve = async () => {
    const db = sqliteDatabase(':memory:');
    server = createServer(toNodeHandler(appHandler(db)));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
  };
  const post = (url: string, body: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer alice' },
      body,
    });

  it('serves the handler over HTTP: a push, and a body over the limit', async () => {
    const base = await serve();
    const push = {
      protocolVersion: 1,
      schemaVersion: 1,
      clientGroupID: 'g1',
      clientID: 'c1',
      mutations: [{ id: 1, name: 'addBook', args: ['b1', 'T'], timestamp: 1 }],
    };
    const ok = await post(`${base}/push`, JSON.stringify(push));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toMatchObject({ results: [{ id: 1, ok: true }] });
    const big = await post(`${base}/push`, JSON.stringify({ ...push, pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expect((await big.json()).error).toMatchObject({ code: 'TOO_LARGE', limit: 1048576 });
    // No Content-Length: the body streams in chunks, and the handler stops reading at the limit.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 40) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const chunked = await fetch(`${base}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer alice' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const get = await fetch(`${base}/pull`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });
});
