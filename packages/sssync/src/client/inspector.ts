import type { Schema } from '../schema/schema.js';
import type { OutboxEntry } from '../store/store.js';
import type { FetchFn, HttpExchange } from '../sync/http.js';
import type { ResourceState, ResourceStatus } from '../sync/resources.js';
import type { SyncStatus } from '../sync/status.js';
import type { SSSyncError } from '../util/errors.js';
import type { FollowerResource } from './follower-resource.js';

/** A mutation as the devtools show it: queued, in a push under way, applied by the server, or refused. */
export interface OutboxItem {
  readonly id: number;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly timestamp: number;
  readonly status: 'pending' | 'sent' | 'confirmed' | 'rejected';
  /** Why the server refused it (`rejected` only). `serverCode` is the server's own code, when it sent one. */
  readonly error?: { readonly code: string; readonly message: string; readonly serverCode?: string };
}

export interface ResourceInfo {
  readonly path: string;
  readonly kind: 'persist' | 'temporary';
  /** The resource's pull cursor; `null` before its first load, `undefined` where this tab cannot know it. */
  readonly cursor: string | null | undefined;
  readonly lastRefreshAt: number | null;
  readonly refreshSeconds: number | undefined;
  /** How long a released temporary resource's rows stay (temporary only). */
  readonly ttlSeconds: number | undefined;
  /** Handles holding it; 0 for a temporary resource waiting out its TTL. */
  readonly holders: number | undefined;
  readonly status: ResourceStatus;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** One push or pull request: answered (with its status), or failed (`status` 0, `error` says why). */
export interface ExchangeRecord extends HttpExchange {
  readonly seq: number;
  readonly kind: 'push' | 'pull';
  /** When the answer arrived, or the request failed (ms since the epoch). */
  readonly at: number;
  readonly error?: string;
}

/**
 * What `sssync.inspect()` gives the devtools: snapshots of the client's internals, read on demand,
 * and `subscribe` to hear that one may have changed. In a follower tab (another tab leads sync) it
 * shows what this tab knows: its own mutations, the resources it holds, no requests.
 */
export interface DevtoolsSource {
  readonly id: string;
  readonly schema: Schema;
  /** The store's kind: `memory`, `indexeddb`, `sqlite`. */
  readonly storeKind: string;
  readonly role: 'starting' | 'leader' | 'follower';
  readonly clientID: string | undefined;
  status(): SyncStatus;
  /** Row counts per table. */
  tables(): readonly { readonly name: string; readonly count: number }[];
  /** Pending mutations and the recently settled ones (confirmed, rejected), by id. */
  outbox(): readonly OutboxItem[];
  resources(): readonly ResourceInfo[];
  /** The last 200 push/pull requests, oldest first. */
  exchanges(): readonly ExchangeRecord[];
  /** Forgets settled mutations and the request log. */
  clear(): void;
  readonly simulatedOffline: boolean;
  /**
   * Pretends the network is gone: no request is made while on (one under way finishes), writes stay
   * queued, `status.online` is false; turning it off syncs at once. It acts on the tab that leads
   * sync: in a follower tab it is remembered and takes effect if this tab becomes the leader.
   */
  setSimulatedOffline(on: boolean): void;
  /** Calls `listener` (synchronously, possibly often) after anything above may have changed. */
  subscribe(listener: () => void): () => void;
}

/** Mutations remembered (this instance's, and verdicts): the newest, by id. */
const MAX_RECORDS = 500;
const MAX_EXCHANGES = 200;

/** The client's parts the inspector reads; every getter may return undefined before the client is ready. */
export interface Inspected {
  readonly id: string;
  readonly schema: Schema;
  readonly storeKind: string;
  role(): 'starting' | 'leader' | 'follower';
  clientID(): string | undefined;
  status(): SyncStatus;
  subscribeStatus(listener: () => void): () => void;
  tables(): readonly { name: string; count: number }[];
  /** The leader's outbox and the ids of the push under way; undefined in a follower. */
  outbox(): { entries: readonly OutboxEntry[]; sending: readonly number[] } | undefined;
  resources(): readonly ResourceInfo[];
  setSimulatedOffline(on: boolean): void;
}

/**
 * Records what the client does for the devtools (mutations this instance made, verdicts, requests)
 * in bounded memory, whether or not a panel is open, so a panel opened late still shows history.
 */
export class Inspector {
  private readonly records = new Map<number, OutboxItem>();
  private readonly log: ExchangeRecord[] = [];
  private seq = 0;
  private readonly listeners = new Set<() => void>();
  /** Wanted by the devtools; the leader's engine applies it (see `setSimulatedOffline`). */
  simulatedOffline = false;

  mutated(id: number, name: string, args: readonly unknown[], timestamp: number): void {
    this.records.set(id, { id, name, args, timestamp, status: 'pending' });
    this.trim();
    this.changed();
  }

  confirmed(id: number, outbox: readonly OutboxEntry[] = []): void {
    this.settle(id, this.records.has(id) ? undefined : byID(outbox, id), 'confirmed');
  }

  rejected(id: number, entry: OutboxEntry | undefined, error: SSSyncError): void {
    const serverCode = error.details?.serverCode;
    this.settle(id, entry, 'rejected', {
      code: error.code,
      message: error.message,
      ...(typeof serverCode === 'string' ? { serverCode } : {}),
    });
  }

  renumbered(map: ReadonlyMap<number, number>): void {
    const moved = [...map].flatMap(([from, to]) => {
      const r = this.records.get(from);
      return r ? [{ ...r, id: to }] : [];
    });
    for (const from of map.keys()) this.records.delete(from);
    for (const r of moved) this.records.set(r.id, r);
    if (map.size > 0) this.changed();
  }

  exchange(x: HttpExchange & { kind: 'push' | 'pull'; error?: string }): void {
    this.log.push({ ...x, seq: ++this.seq, at: Date.now() });
    if (this.log.length > MAX_EXCHANGES) this.log.splice(0, this.log.length - MAX_EXCHANGES);
    this.changed();
  }

  /** `fetch` that also logs the requests that got no answer (those with one arrive by `exchange`). */
  watchFetch(fetch: FetchFn | undefined): FetchFn {
    return async (input, init) => {
      const started = Date.now();
      try {
        return await (fetch ? fetch(input, init) : globalThis.fetch(input, init));
      } catch (e) {
        const body = typeof init.body === 'string' ? init.body : '';
        this.exchange({
          kind: input.endsWith('/push') ? 'push' : 'pull',
          url: input,
          status: 0,
          requestBytes: new TextEncoder().encode(body).length,
          responseBytes: 0,
          ms: Date.now() - started,
          error: e instanceof Error ? e.message : String(e),
        });
        throw e;
      }
    };
  }

  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  /** The devtools' view over `client`. */
  source(client: Inspected): DevtoolsSource {
    const self = this;
    return {
      id: client.id,
      schema: client.schema,
      storeKind: client.storeKind,
      get role() {
        return client.role();
      },
      get clientID() {
        return client.clientID();
      },
      status: () => client.status(),
      tables: () => client.tables(),
      outbox: () => this.outbox(client.outbox()),
      resources: () => client.resources(),
      exchanges: () => [...this.log],
      clear: () => {
        for (const [id, r] of this.records)
          if (r.status === 'confirmed' || r.status === 'rejected') this.records.delete(id);
        this.log.length = 0;
        this.changed();
      },
      get simulatedOffline() {
        return self.simulatedOffline;
      },
      setSimulatedOffline: (on) => {
        this.simulatedOffline = on;
        client.setSimulatedOffline(on);
        this.changed();
      },
      subscribe: (listener) => {
        const l = () => listener();
        this.listeners.add(l);
        const stop = client.subscribeStatus(l);
        return () => {
          this.listeners.delete(l);
          stop();
        };
      },
    };
  }

  private outbox(
    leader: { entries: readonly OutboxEntry[]; sending: readonly number[] } | undefined,
  ): OutboxItem[] {
    const items = new Map<number, OutboxItem>();
    if (leader) {
      const sending = new Set(leader.sending);
      for (const e of leader.entries) {
        const settled = this.records.get(e.id)?.status === 'confirmed';
        const status = settled ? 'confirmed' : sending.has(e.id) ? 'sent' : 'pending';
        items.set(e.id, { id: e.id, name: e.name, args: e.args, timestamp: e.timestamp, status });
      }
    }
    for (const r of this.records.values()) {
      // The leader's outbox is the truth for what is still queued; a follower knows only its verdicts.
      if (leader && r.status !== 'confirmed' && r.status !== 'rejected') continue;
      if (!items.has(r.id)) items.set(r.id, { ...r });
    }
    return [...items.values()].sort((a, b) => a.id - b.id);
  }

  private settle(
    id: number,
    entry: OutboxEntry | undefined,
    status: 'confirmed' | 'rejected',
    error?: OutboxItem['error'],
  ): void {
    const known = this.records.get(id);
    if (known?.status === status) return;
    this.records.delete(id);
    this.records.set(id, {
      id,
      name: entry?.name ?? known?.name ?? '?',
      args: entry?.args ?? known?.args ?? [],
      timestamp: entry?.timestamp ?? known?.timestamp ?? Date.now(),
      status,
      ...(error ? { error } : {}),
    });
    this.trim();
    this.changed();
  }

  private trim(): void {
    while (this.records.size > MAX_RECORDS) this.records.delete(this.records.keys().next().value!);
  }
}

/** The outbox is in id order: a verdict for one of 10,000 queued mutations costs a binary search. */
function byID(outbox: readonly OutboxEntry[], id: number): OutboxEntry | undefined {
  let lo = 0;
  let hi = outbox.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = outbox[mid]!;
    if (e.id === id) return e;
    if (e.id < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

const errorInfo = (e: SSSyncError | null) => (e ? { code: e.code, message: e.message } : null);

/** The leader's resources, as the sync engine holds them. */
export function leaderResources(states: readonly ResourceState[]): ResourceInfo[] {
  return states.map((r) => ({
    path: r.path,
    kind: r.temporary ? 'temporary' : 'persist',
    cursor: r.cursor,
    lastRefreshAt: r.lastRefreshAt,
    refreshSeconds: r.refreshMs / 1000,
    ttlSeconds: r.temporary ? r.ttlMs / 1000 : undefined,
    holders: r.holders,
    status: r.holders > 0 || r.temporary ? r.status : 'released',
    error: errorInfo(r.error),
  }));
}

/** A follower tab's resources: the ones it asked the leader for (the leader knows their cursors). */
export function followerResources(handles: Iterable<FollowerResource>): ResourceInfo[] {
  return [...handles]
    .filter((r) => !r.isReleased)
    .map((r) => ({
      path: r.path,
      kind: r.temporary ? 'temporary' : 'persist',
      cursor: undefined,
      lastRefreshAt: r.lastRefreshAt,
      refreshSeconds: r.refreshSeconds,
      ttlSeconds: undefined,
      holders: undefined,
      status: r.status,
      error: errorInfo(r.error),
    }));
}
