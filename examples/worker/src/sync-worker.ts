/**
 * A Cloudflare Worker that serves `createSyncHandler` (unchanged) at `…/push` and `…/pull`, with its
 * data in the D1 database bound as `DB`. One handler per isolate: it keeps no state between requests
 * but the promise that the tables are prepared, which every request of the isolate shares.
 */
import type { SyncDatabase, SyncHandler } from 'sssync/server';
import { type D1DatabaseLike, d1Database } from 'sssync/server/d1';

export interface SyncEnv {
  /** The D1 binding (`d1_databases` in wrangler.jsonc). */
  readonly DB: D1DatabaseLike;
}

/** `export default syncWorker((database) => createSyncHandler({ schema, …, database }))`. */
export function syncWorker<E extends SyncEnv>(create: (database: SyncDatabase, env: E) => SyncHandler) {
  const handlers = new WeakMap<D1DatabaseLike, SyncHandler>();
  return {
    fetch(request: Request, env: E): Promise<Response> {
      let handler = handlers.get(env.DB);
      if (!handler) {
        handler = create(d1Database(env.DB), env);
        handlers.set(env.DB, handler);
      }
      return handler(request);
    },
  };
}
