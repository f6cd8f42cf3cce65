/**
 * A Worker bundled from its entry source and started in workerd by Miniflare, with an empty D1
 * database bound as `DB`: what `wrangler dev` runs. Requests go in through Miniflare's
 * `dispatchFetch`.
 */
import { Miniflare } from 'miniflare';
import type { D1DatabaseLike } from '../dialects/d1.js';
import { bundle } from './bundle.js';

export interface TestWorker {
  /** A request to the Worker, through workerd (Miniflare's `dispatchFetch`). */
  readonly fetch: (input: string | Request, init?: RequestInit) => Promise<Response>;
  /** The Worker's D1 database, reachable from Node. */
  readonly d1: () => Promise<D1DatabaseLike>;
  dispose(): Promise<void>;
}

/** Bundles once per entry source; the code is shared by every Worker started from it. */
const bundles = new Map<string, Promise<string>>();

export async function startWorker(entry: string): Promise<TestWorker> {
  let code = bundles.get(entry);
  if (!code) {
    code = bundle({ contents: entry, platform: 'browser', conditions: ['workerd', 'worker'] });
    bundles.set(entry, code);
  }
  const mf = new Miniflare({
    modules: true,
    script: await code,
    compatibilityDate: '2026-04-01',
    d1Databases: { DB: crypto.randomUUID() },
  });
  await mf.ready;
  return {
    fetch: async (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const body = request.body === null ? undefined : await request.arrayBuffer();
      const response = await mf.dispatchFetch(request.url, {
        method: request.method,
        headers: [...request.headers],
        ...(body === undefined ? {} : { body }),
        // Without it, Miniflare's undici answers a 401 to a request with a body with "fetch failed"
        // (it prepares to retry with credentials, which needs the body again).
        credentials: 'omit',
      });
      // A Response of this realm, its body read: callers may keep it after the Worker is gone.
      return new Response(response.status === 204 ? null : await response.arrayBuffer(), {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers],
      });
    },
    d1: async () => (await mf.getD1Database('DB')) as unknown as D1DatabaseLike,
    dispose: () => mf.dispose(),
  };
}

/** Empty D1 databases in workerd, reachable from Node: `next()` hands out a fresh one each call. */
export interface D1Pool {
  next(): Promise<D1DatabaseLike>;
  dispose(): Promise<void>;
}

export async function startD1Pool(size: number): Promise<D1Pool> {
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch: () => new Response(null, { status: 404 }) }',
    compatibilityDate: '2026-04-01',
    d1Databases: Object.fromEntries(Array.from({ length: size }, (_, i) => [`DB${i}`, crypto.randomUUID()])),
  });
  await mf.ready;
  let used = 0;
  return {
    next: async () => {
      if (used >= size) throw new Error(`startD1Pool: all ${size} databases are used; ask for more.`);
      return (await mf.getD1Database(`DB${used++}`)) as unknown as D1DatabaseLike;
    },
    dispose: () => mf.dispose(),
  };
}
