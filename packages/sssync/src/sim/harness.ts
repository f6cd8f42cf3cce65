/**
 * For the targeted tests beside the simulator: a client of the simulated app talking to a `SimServer`
 * in-process, with hooks to block requests, and a virtual clock to run it on.
 */
import BetterSqlite3 from 'better-sqlite3';
import { SSSync } from '../client/sssync.js';
import { memoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import type { FetchFn } from '../sync/http.js';
import { type SimSchema, type SimServer, simMutators, simSchema, simServer } from './app.js';
import type { VirtualClock } from './virtual-clock.js';

export type App = SSSync<SimSchema, typeof simMutators.defs>;

/** A server slot: replace `current` to restore a backup. */
export interface Backend {
  current: SimServer;
}

export async function backend(): Promise<Backend> {
  return { current: await simServer(new BetterSqlite3(':memory:'), (e) => console.error(e)) };
}

/** Replaces the server's database by `backup` (from `sqlite.serialize()`), as a restore does. */
export async function restore(
  b: Backend,
  backup: Buffer,
  opts: { rotateEpoch?: boolean } = {},
): Promise<void> {
  const sqlite = new BetterSqlite3(backup);
  if (opts.rotateEpoch ?? true)
    sqlite.prepare("update sssync_meta set value = 'restored' where name = 'epoch'").run();
  b.current = await simServer(sqlite, (e) => console.error(e));
}

export interface Wire {
  /** Requests of these kinds fail as network errors while set. */
  block: Set<'push' | 'pull'>;
  /** Every request that reached the server: kind and status. */
  readonly log: { kind: 'push' | 'pull'; status: number; body: any; answer: any }[];
}

export function client(
  b: Backend,
  opts: { store?: Store; user?: string; clock?: VirtualClock; fetch?: FetchFn } = {},
): { app: App; wire: Wire; store: Store } {
  const store = opts.store ?? memoryStore();
  const wire: Wire = { block: new Set(), log: [] };
  const direct: FetchFn = async (url, init) => {
    const kind = url.endsWith('/push') ? 'push' : 'pull';
    if (wire.block.has(kind)) throw new TypeError(`fetch failed (${kind} blocked)`);
    const response = await b.current.handler(new Request(url, init));
    const text = await response.text();
    wire.log.push({
      kind,
      status: response.status,
      body: JSON.parse(String(init.body)),
      answer: JSON.parse(text),
    });
    return new Response(text, { status: response.status, headers: response.headers });
  };
  const app: App = new SSSync('sim', {
    schema: simSchema,
    mutators: simMutators,
    store,
    server: 'http://sim/sync',
    fetch: opts.fetch ?? direct,
    headers: () => ({ authorization: `Bearer ${opts.user ?? 'user-a'}` }),
    backoff: { baseMs: 1, maxMs: 4 },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return { app, wire, store };
}

/** The client's items, as the server's `serverItems` lists them. */
export const localItems = (app: App) => app.query.items.orderBy('id').run();
