import { PROTOCOL_LIMITS, PROTOCOL_VERSION } from '../protocol/limits.js';
import { parsePullResponse, parsePushResponse } from '../protocol/parse.js';
import type { PullRequest } from '../protocol/pull.js';
import type { PushRequest } from '../protocol/push.js';
import { META, randomID } from '../replica/meta.js';
import type { PatchOp, Replica, ServerUpdate } from '../replica/replica.js';
import type { Schema } from '../schema/schema.js';
import type { OutboxEntry } from '../store/store.js';
import { errorMessage, SSSyncError } from '../util/errors.js';
import { __faults } from '../util/test-faults.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import { type SyncClock, systemClock } from './clock.js';
import { type FetchFn, type HeadersFn, type HttpExchange, postJSON, type RequestTimeout } from './http.js';
import { fillPattern, matchPattern } from './resource-path.js';
import {
  type Deferred,
  deferred,
  type LoaderFn,
  type Loaders,
  type ResourceHandle,
  ResourceState,
} from './resources.js';
import { StatusCell } from './status.js';

export interface SyncOptions {
  /** The protocol endpoint's base URL: the client POSTs to `${server}/push` and `${server}/pull`. */
  readonly server?: string;
  /** Headers for every request, e.g. `() => ({ authorization: \`Bearer ${token()}\` })`. */
  readonly headers?: HeadersFn;
  readonly fetch?: FetchFn;
  /** How often held persisted resources are pulled (default 60 s). */
  readonly pullIntervalSeconds?: number;
  /** Mutations per push (default 1000: what a server with the protocol's default limits takes). */
  readonly pushBatchSize?: number;
  readonly backoff?: BackoffOptions;
  /** How long a released temporary resource's rows stay (default 30 s). */
  readonly temporaryTTLSeconds?: number;
  /** How long a request may go unanswered before it counts as a network failure (default 60 s). */
  readonly requestTimeoutSeconds?: number;
  /** Time, timers and jitter for scheduling; the system's by default (a simulator injects its own). */
  readonly clock?: SyncClock;
}

export interface SyncHooks {
  confirmed(id: number): void;
  rejected(entry: OutboxEntry, error: SSSyncError): void;
  renumbered(map: ReadonlyMap<number, number>): void;
  updateNeeded(error: SSSyncError): void;
  exchange?(x: HttpExchange & { kind: 'push' | 'pull' }): void;
}

const CURSOR = (path: string) => `cursor:${path}`;

/** setTimeout takes at most 2^31 − 1 ms; a longer delay would fire at once, again and again. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * The network side of the client: pushes the outbox in order and in batches, pulls held resources,
 * retries with backoff, and hands every server answer to the replica as one update. At most one
 * request is in flight; `kick()` asks for a run as soon as possible.
 */
/** Past this many held patch ops, a paging pull applies what it has (one rebase) and holds anew. */
const MAX_HELD_OPS = 50_000;

export class SyncEngine<S extends Schema> {
  readonly status = new StatusCell();
  private readonly replica: Replica<S>;
  private readonly schema: S;
  private readonly opts: SyncOptions;
  private readonly loaders: Loaders | undefined;
  private readonly hooks: SyncHooks;
  private readonly fetchFn: FetchFn;
  private readonly resources = new Map<string, ResourceState>();
  /** The highest mutation id the server has told us it processed. */
  private pushedUpTo = 0;
  private batchSize: number;
  /** The mutations per push the server said it takes at most (a 413 on `mutations`). */
  private serverBatchLimit = Number.POSITIVE_INFINITY;
  private attempt = 0;
  private retryAt = 0;
  private current: Promise<void> | undefined;
  /** The refresh() callers the current try serves. */
  private tryWaiters: ReadonlySet<Deferred> = new Set();
  private again = false;
  private pullWanted = false;
  /**
   * Pages of a paging pull held back while mutations are pending: a page can't carry
   * `lastMutationIDs` (§6.6), so applying each would undo and replay every pending mutation once per
   * page. Held pages are applied with the last one (one rebase); their cursors are saved only then,
   * so a crash in between re-pulls from the saved cursor.
   */
  private paged:
    | {
        resources: { path: string; temporary: boolean; patch: readonly PatchOp[] }[];
        meta: Map<string, unknown>;
        ops: number;
        ready: ResourceState[];
      }
    | undefined;
  private timer: unknown;
  /**
   * Scheduling runs on a monotonic clock: a wall clock that jumps (a user fixing a date set to 2200)
   * must not leave a retry or a refresh centuries away. Status timestamps stay on the wall clock.
   */
  private readonly clock: SyncClock;
  private stopped = false;
  /** Devtools' "simulate offline": no request goes out while set. */
  private simulatedOffline = false;
  /** The ids of the push under way, for devtools. */
  sending: readonly number[] = [];
  private readonly cleanup: (() => void)[] = [];

  constructor(
    replica: Replica<S>,
    schema: S,
    opts: SyncOptions,
    loaders: Loaders | undefined,
    hooks: SyncHooks,
  ) {
    this.replica = replica;
    this.schema = schema;
    this.opts = opts;
    this.loaders = loaders;
    this.hooks = hooks;
    this.batchSize = this.maxBatch();
    this.clock = opts.clock ?? systemClock;
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.status.set({ pending: replica.outbox.length });
    const g = globalThis as {
      addEventListener?: typeof addEventListener;
      removeEventListener?: typeof removeEventListener;
      navigator?: { onLine?: boolean };
    };
    if (typeof g.addEventListener === 'function' && typeof g.navigator?.onLine === 'boolean') {
      const online = () => {
        this.retryAt = 0;
        this.attempt = 0;
        this.kick();
      };
      const offline = () => this.status.set({ online: false });
      g.addEventListener('online', online);
      g.addEventListener('offline', offline);
      this.cleanup.push(() => {
        g.removeEventListener?.('online', online);
        g.removeEventListener?.('offline', offline);
      });
      if (g.navigator.onLine === false) this.status.set({ online: false });
    }
  }

  /** PROTOCOL.md §10: a request unanswered for 60 s is a network failure (or it would block sync). */
  private timeout(): RequestTimeout {
    return { ms: (this.opts.requestTimeoutSeconds ?? 60) * 1000, clock: this.clock };
  }

  get hasServer(): boolean {
    return typeof this.opts.server === 'string';
  }

  /** Asks for a sync run soon (after a local mutation, a new resource, coming online). */
  kick(): void {
    if (this.stopped) return;
    this.status.set({ pending: this.replica.outbox.length });
    queueMicrotask(() => void this.run());
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    for (const c of this.cleanup.splice(0)) c();
    for (const r of this.resources.values()) this.clock.clearTimeout(r.ttlTimer);
    this.status.set({ stopped: true });
  }

  /**
   * Devtools: while on, no request is made (one under way finishes), writes stay queued and status
   * says offline; turning it off syncs at once (a push if anything is queued, and a pull).
   */
  setSimulatedOffline(on: boolean): void {
    if (this.simulatedOffline === on) return;
    this.simulatedOffline = on;
    if (on) {
      this.clock.clearTimeout(this.timer);
      this.status.set({ online: false });
      return;
    }
    this.retryAt = 0;
    this.attempt = 0;
    this.pullWanted = this.hasServer;
    this.status.set({ online: true });
    this.kick();
  }

  /** Waits until nothing is left to push and no pull is due (or sync cannot go on). For tests and tools. */
  async flush(): Promise<void> {
    // "Sync now": every held resource is due, and a pull runs even if nothing was pushed.
    for (const r of this.held()) r.dueAt = 0;
    if (this.hasServer) this.pullWanted = true;
    for (;;) {
      if (this.stopped || this.status.get().updateNeeded) return;
      if (this.simulatedOffline) {
        throw new SSSyncError(
          'OFFLINE',
          'Sync is paused: offline is simulated (devtools). Turn it off to sync.',
        );
      }
      await this.run();
      if (!this.hasWork()) return;
      if (this.retryAt > this.clock.now()) {
        throw this.status.get().lastError ?? new SSSyncError('NETWORK', 'Sync is backing off.');
      }
    }
  }

  // ---- resources

  acquire(
    pattern: string,
    opts: { temporary: boolean; params?: Record<string, string | number>; refreshSeconds?: number },
  ): ResourceHandle {
    const path = fillPattern(pattern, opts.params);
    const { loader, params } = this.findLoader(pattern, path);
    if (!loader && !this.hasServer) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        `Resource "${path}" needs a \`server\` (or a loader function) to load from.`,
      );
    }
    let state = this.resources.get(path);
    if (state && state.temporary !== opts.temporary) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        `Resource "${path}" is already held as ${state.temporary ? 'temporary' : 'persisted'}.`,
      );
    }
    if (!state) {
      const stored = opts.temporary ? undefined : this.replica.meta.get(CURSOR(path));
      state = new ResourceState({
        path,
        temporary: opts.temporary,
        params,
        loader,
        refreshMs: (opts.refreshSeconds ?? this.opts.pullIntervalSeconds ?? 60) * 1000,
        ttlMs: (this.opts.temporaryTTLSeconds ?? 30) * 1000,
        cursor: typeof stored === 'string' ? stored : null,
      });
      this.resources.set(path, state);
    } else if (opts.refreshSeconds !== undefined) {
      state.refreshMs = Math.min(state.refreshMs, opts.refreshSeconds * 1000);
    }
    this.clock.clearTimeout(state.ttlTimer);
    state.ttlTimer = undefined;
    state.holders++;
    if (state.holders === 1) state.dueAt = 0;
    this.kick();
    const s = state;
    return s.handle(
      () => this.releaseOne(s),
      () => this.refresh(s),
    );
  }

  /** Every resource currently known, for devtools. */
  listResources(): readonly ResourceState[] {
    return [...this.resources.values()];
  }

  private findLoader(
    pattern: string,
    path: string,
  ): { loader: LoaderFn | undefined; params: Record<string, string> } {
    if (!this.loaders) return { loader: undefined, params: matchPattern(pattern, path) ?? {} };
    for (const [key, loader] of Object.entries(this.loaders)) {
      const params = matchPattern(key, path);
      if (key !== pattern && !params) continue;
      const fn = typeof loader === 'function' ? loader : loader.load;
      return { loader: fn, params: params ?? {} };
    }
    throw new SSSyncError('UNKNOWN_RESOURCE', `Resource "${pattern}" is not declared in \`loaders\`.`, {
      details: { path },
    });
  }

  private refresh(state: ResourceState): Promise<void> {
    if (this.simulatedOffline) {
      // As a real network failure would: a refresh that cannot reach the server says so.
      return Promise.reject(
        new SSSyncError('OFFLINE', `Cannot refresh "${state.path}": offline is simulated (devtools).`),
      );
    }
    const w = deferred();
    state.waiters.push(w);
    state.dueAt = 0;
    this.retryAt = 0;
    this.kick();
    return w.promise;
  }

  private releaseOne(state: ResourceState): void {
    state.holders--;
    if (state.holders > 0) return;
    if (!state.temporary) {
      this.resources.delete(state.path);
      return;
    }
    state.ttlTimer = this.clock.setTimeout(() => {
      if (state.holders > 0 || this.resources.get(state.path) !== state) return;
      this.resources.delete(state.path);
      this.forgetPaged(state.path);
      this.replica.applyServer({ released: [{ path: state.path, temporary: true }] }).catch(() => {});
    }, state.ttlMs);
  }

  // ---- the loop

  private unpushed(): OutboxEntry[] {
    return this.replica.outbox.filter((e) => e.id > this.pushedUpTo);
  }

  private held(): ResourceState[] {
    return [...this.resources.values()].filter((r) => r.holders > 0);
  }

  private pullDue(now: number): boolean {
    // After a push, pull even with no resource held: the answer's lastMutationIDs retire the outbox.
    return (
      this.held().some((r) => r.more || r.dueAt <= now || r.waiters.length > 0) ||
      (this.pullWanted && this.hasServer)
    );
  }

  /** Starts the sync loop, or joins the one running (which will go round once more). */
  private run(): Promise<void> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = this.loop().finally(() => {
      this.current = undefined;
      this.schedule();
    });
    return this.current;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      if (this.stopped || this.status.get().updateNeeded || this.simulatedOffline) return;
      if (this.clock.now() < this.retryAt) return;
      try {
        await this.step();
      } catch (e) {
        this.failed(e);
      }
    } while (this.again || (this.clock.now() >= this.retryAt && this.hasWork()));
  }

  private hasWork(): boolean {
    if (this.stopped || this.status.get().updateNeeded || this.simulatedOffline) return false;
    return (this.hasServer && this.unpushed().length > 0) || this.pullDue(this.clock.now());
  }

  private async step(): Promise<void> {
    this.tryWaiters = new Set(this.held().flatMap((r) => r.waiters));
    if (this.hasServer && this.unpushed().length > 0) {
      await this.push();
      this.pullWanted = true;
    } else if (this.pullDue(this.clock.now())) {
      await this.pull();
    } else {
      return;
    }
    this.attempt = 0;
    this.retryAt = 0;
    this.status.set({
      online: !this.simulatedOffline,
      lastError: null,
      lastSyncAt: Date.now(),
      pending: this.replica.outbox.length,
    });
  }

  private schedule(): void {
    this.clock.clearTimeout(this.timer);
    if (this.stopped || this.status.get().updateNeeded || this.simulatedOffline) return;
    const t = this.clock.now();
    let at = Number.POSITIVE_INFINITY;
    if (this.retryAt > t) at = this.retryAt;
    else if (this.hasWork()) at = t;
    for (const r of this.held()) at = Math.min(at, Math.max(r.dueAt, this.retryAt));
    if (at === Number.POSITIVE_INFINITY) return;
    this.timer = this.clock.setTimeout(() => void this.run(), Math.min(MAX_DELAY, Math.max(0, at - t)));
  }

  private failed(e: unknown): void {
    const error =
      e instanceof SSSyncError
        ? e
        : new SSSyncError('SERVER_ERROR', `Sync failed: ${errorMessage(e)}`, { cause: e });
    if (error.code === 'VERSION_MISMATCH') {
      this.status.set({ updateNeeded: true, lastError: error, pushing: false, pulling: false });
      for (const r of this.resources.values()) r.markError(error, false);
      this.hooks.updateNeeded(error);
      return;
    }
    const retryAfter = error.details?.retryAfter;
    const wait =
      error.code === 'RATE_LIMITED' && typeof retryAfter === 'number'
        ? retryAfter * 1000
        : backoffDelay(this.attempt, this.opts.backoff, () => this.clock.random());
    this.attempt++;
    this.retryAt = this.clock.now() + wait;
    this.status.set({
      lastError: error,
      pushing: false,
      pulling: false,
      online: error.code === 'NETWORK' ? false : this.status.get().online,
    });
    // A refresh() asked for while this try was under way waits for the next one.
    for (const r of this.held()) {
      if (r.waiters.length > 0 || r.status !== 'ready') r.markError(error, false, this.tryWaiters);
    }
  }

  // ---- push

  private async push(): Promise<void> {
    // A rejected mutation leaves the queue at once, before the ones ahead of it are confirmed, so the
    // ids queued may skip one (after a restart they are all sent again). A push holds consecutive ids
    // only (§5.1): it stops at the hole, and the server's lastMutationID moves past it.
    const unpushed = this.unpushed();
    let n = 1;
    while (n < Math.min(unpushed.length, this.batchSize) && unpushed[n]!.id === unpushed[0]!.id + n) n++;
    const batch = unpushed.slice(0, n);
    const request: PushRequest = {
      protocolVersion: PROTOCOL_VERSION,
      schemaVersion: this.schema.version,
      clientGroupID: this.replica.clientGroupID,
      clientID: this.replica.clientID,
      mutations: batch.map(({ id, name, args, timestamp }) => ({ id, name, args: args as never, timestamp })),
    };
    this.sending = batch.map((e) => e.id);
    this.status.set({ pushing: true });
    let json: unknown;
    try {
      json = await postJSON(
        this.fetchFn,
        `${this.opts.server}/push`,
        request,
        this.opts.headers,
        (x) => this.hooks.exchange?.({ ...x, kind: 'push' }),
        this.timeout(),
      );
    } catch (e) {
      this.sending = [];
      this.status.set({ pushing: false });
      if (e instanceof SSSyncError && (await this.pushRefused(e, batch))) return;
      throw e;
    }
    this.sending = [];
    this.status.set({ pushing: false });
    const response = parsePushResponse(json, request);
    const rejected = new Map<number, SSSyncError>();
    for (const r of response.results) {
      if (r.ok) continue;
      rejected.set(
        r.id,
        new SSSyncError('SERVER_REJECTED', `The server rejected mutation ${r.id}: ${r.error.message}`, {
          details: { ...r.error, serverCode: r.error.code },
        }),
      );
    }
    this.pushedUpTo = Math.max(this.pushedUpTo, response.lastMutationIDs[request.clientID] ?? 0);
    if (rejected.size > 0) {
      // Roll the rejected ones back now (undo, drop, replay the rest); the next pull brings the truth.
      const result = await this.replica.applyServer({ drop: new Set(rejected.keys()) });
      for (const entry of result.dropped) this.hooks.rejected(entry, rejected.get(entry.id)!);
    }
    for (const r of response.results) if (r.ok) this.hooks.confirmed(r.id);
    this.batchSize = Math.min(this.maxBatch(), this.batchSize * 2);
  }

  /**
   * Refusals a retry cannot fix. Returns true when handled: a batch too large is halved; a single
   * mutation the server can never take (too large, malformed) is dropped and rejected, and the ids
   * after it closed up; a gap (the server lost our history) moves the queue to a new client id.
   */
  private async pushRefused(e: SSSyncError, batch: readonly OutboxEntry[]): Promise<boolean> {
    if (e.code === 'MUTATION_ID_GAP') {
      const last = e.details?.lastMutationID;
      const first = batch[0]?.id ?? 0;
      if (typeof last === 'number' && last >= first) {
        this.pushedUpTo = last;
        return true;
      }
      await this.serverLostHistory(typeof last === 'number' ? last : 0);
      return true;
    }
    let poison: OutboxEntry | undefined;
    if (e.code === 'TOO_LARGE') {
      const limit = e.details?.limit;
      if (
        e.details?.field === 'mutations' &&
        typeof limit === 'number' &&
        limit >= 1 &&
        limit < batch.length
      ) {
        // The server takes fewer mutations per push than we send: send that many from now on.
        this.serverBatchLimit = Math.floor(limit);
        this.batchSize = this.maxBatch();
        return true;
      }
      if (batch.length > 1) {
        this.batchSize = Math.max(1, Math.floor(batch.length / 2));
        return true;
      }
      poison = batch[0];
    } else if (e.code === 'BAD_REQUEST') {
      const m = /^mutations\[(\d+)\]/.exec(String(e.details?.field ?? ''));
      poison = m ? batch[Number(m[1])] : undefined;
    }
    if (!poison) return false;
    const result = await this.replica.applyServer({ drop: new Set([poison.id]), closeGaps: true });
    this.hooks.renumbered(result.renumbered);
    for (const entry of result.dropped) this.hooks.rejected(entry, e);
    return true;
  }

  /** Mutations per push at most: the option, or less where the server said it takes less. */
  private maxBatch(): number {
    return Math.min(this.opts.pushBatchSize ?? PROTOCOL_LIMITS.maxMutationsPerPush, this.serverBatchLimit);
  }

  /** The highest mutation id the server is known to have processed for this client. */
  private acknowledged(): number {
    const next = this.replica.meta.get(META.nextMutationID) as number;
    // Every entry before the first queued one left the queue on the server's word (applied or rejected).
    return Math.max(this.pushedUpTo, (this.replica.outbox[0]?.id ?? next) - 1);
  }

  /**
   * The server lost history (restored from a backup): its cursors may now name other states, so
   * every resource loads in full again. The mutations it still has (up to `last`) leave the queue —
   * renumbered, they would run twice — and the rest go on under a new client id (§5.5, §6.6).
   */
  private async serverLostHistory(last: number): Promise<void> {
    this.paged = undefined;
    const cursors = new Map<string, unknown>();
    for (const key of this.replica.meta.keys()) if (key.startsWith('cursor:')) cursors.set(key, null);
    for (const r of this.resources.values()) {
      r.cursor = null;
      r.more = false;
      r.dueAt = 0;
    }
    const result = await this.replica.applyServer({
      newClientID: randomID(),
      meta: cursors,
      lastMutationID: last,
    });
    this.pushedUpTo = 0;
    this.pullWanted = true;
    for (const entry of result.applied) this.hooks.confirmed(entry.id);
    this.hooks.renumbered(result.renumbered);
  }

  // ---- pull

  private async pull(): Promise<void> {
    const t = this.clock.now();
    const due = this.held();
    const viaLoader = due.filter((r) => r.loader && (r.dueAt <= t || r.waiters.length > 0 || r.more));
    for (const r of viaLoader) await this.loadWithFunction(r);
    const viaServer = due.filter((r) => !r.loader);
    const wanted = this.pullWanted;
    this.pullWanted = false;
    if (!this.hasServer || (viaServer.length === 0 && !wanted)) return;
    const request: PullRequest = {
      protocolVersion: PROTOCOL_VERSION,
      schemaVersion: this.schema.version,
      clientGroupID: this.replica.clientGroupID,
      clientID: this.replica.clientID,
      resources: viaServer.map((r) => ({ path: r.path, cursor: r.cursor })),
    };
    this.status.set({ pulling: true });
    let json: unknown;
    try {
      json = await postJSON(
        this.fetchFn,
        `${this.opts.server}/pull`,
        request,
        this.opts.headers,
        (x) => this.hooks.exchange?.({ ...x, kind: 'pull' }),
        this.timeout(),
      );
    } catch (e) {
      this.status.set({ pulling: false });
      if (e instanceof SSSyncError && (e.code === 'FORBIDDEN' || e.code === 'UNKNOWN_RESOURCE')) {
        const field = String(e.details?.field ?? '');
        const m = /^resources\[(\d+)\]/.exec(field);
        const bad = m ? viaServer[Number(m[1])] : viaServer.length === 1 ? viaServer[0] : undefined;
        if (bad) {
          // PROTOCOL.md §6.4: fail that resource, drop the rows only it delivered, go on without it.
          bad.markError(e, true);
          bad.holders = 0;
          this.resources.delete(bad.path);
          this.forgetPaged(bad.path);
          if (e.code === 'FORBIDDEN') {
            await this.replica.applyServer({
              released: [{ path: bad.path, temporary: bad.temporary }],
              meta: new Map([[CURSOR(bad.path), null]]),
            });
          }
          this.pullWanted = true;
          return;
        }
      }
      throw e;
    }
    this.status.set({ pulling: false });
    const response = parsePullResponse(json, request);
    const reported = response.lastMutationIDs[this.replica.clientID];
    const acknowledged = this.acknowledged();
    if (acknowledged > 0 && (reported ?? 0) < acknowledged) {
      // §6.6: the server always reports the pulling client and never less than it acknowledged
      // before, unless it went back in time (restored from a backup).
      await this.serverLostHistory(reported ?? 0);
      return;
    }
    const last = reported ?? 0;
    const highest = (this.replica.meta.get(META.nextMutationID) as number) - 1;
    if (last > highest) {
      throw new SSSyncError(
        'PROTOCOL',
        `The server reports mutation ${last} applied, but this client only made ${highest}.`,
      );
    }
    const meta = new Map<string, unknown>();
    const resources: { path: string; temporary: boolean; patch: readonly PatchOp[] }[] = [];
    response.resources.forEach((res, i) => {
      const state = viaServer[i]!;
      resources.push({ path: res.path, temporary: state.temporary, patch: res.patch as readonly PatchOp[] });
      if (!state.temporary) meta.set(CURSOR(res.path), res.cursor);
    });
    // PROTOCOL.md §6.6: while a resource is still paging, its rows are older than lastMutationIDs.
    const paging = response.resources.some((r) => r.more);
    const ops = resources.reduce((n, r) => n + r.patch.length, 0) + (this.paged?.ops ?? 0);
    if (paging && this.replica.outbox.length > 0 && ops <= MAX_HELD_OPS) {
      // Held until the last page (see `paged`): cursors move on in memory only.
      this.paged ??= {
        resources: [],
        meta: new Map<string, unknown>(),
        ops: 0,
        ready: [] as ResourceState[],
      };
      const held = this.paged;
      held.resources.push(...resources);
      for (const [k, v] of meta) held.meta.set(k, v);
      held.ops = ops;
      response.resources.forEach((res, i) => {
        const state = viaServer[i]!;
        state.cursor = res.cursor;
        state.more = res.more;
        if (!res.more) held.ready.push(state);
      });
      return;
    }
    const held = this.paged;
    this.paged = undefined;
    if (held) {
      // Held pages of a refused or expired temporary resource were dropped (`forgetPaged`).
      resources.unshift(...held.resources);
      // This response's cursors are newer than the held ones.
      for (const [k, v] of held.meta) if (!meta.has(k)) meta.set(k, v);
    }
    const update: ServerUpdate =
      paging || __faults.clientIgnoresLastMutationIDs
        ? { resources, meta }
        : { resources, lastMutationID: last, meta };
    const result = await this.replica.applyServer(update);
    if (!paging) this.pushedUpTo = Math.max(this.pushedUpTo, last);
    for (const entry of result.applied) this.hooks.confirmed(entry.id);
    const at = this.clock.now();
    const wall = Date.now();
    for (const state of held?.ready ?? []) {
      if (this.resources.get(state.path) !== state || state.more) continue;
      state.dueAt = at + state.refreshMs;
      state.markReady(wall);
    }
    response.resources.forEach((res, i) => {
      const state = viaServer[i]!;
      state.cursor = res.cursor;
      state.more = res.more;
      if (!res.more) {
        state.dueAt = at + state.refreshMs;
        state.markReady(wall);
      }
    });
  }

  /** Drops the held pages (and cursor) of a resource let go or refused before they were applied. */
  private forgetPaged(path: string): void {
    const held = this.paged;
    if (!held) return;
    held.resources = held.resources.filter((r) => r.path !== path);
    held.meta.delete(CURSOR(path));
    held.ready = held.ready.filter((s) => s.path !== path);
  }

  private async loadWithFunction(state: ResourceState): Promise<void> {
    let rows: Awaited<ReturnType<LoaderFn>>;
    try {
      rows = await state.loader!({ path: state.path, params: state.params });
    } catch (e) {
      const error = new SSSyncError('NETWORK', `Loader for "${state.path}" failed: ${errorMessage(e)}`, {
        cause: e,
      });
      state.dueAt = this.clock.now() + state.refreshMs;
      state.markError(error, false);
      return;
    }
    const patch: PatchOp[] = [{ op: 'clear' }];
    for (const [table, list] of Object.entries(rows ?? {})) {
      for (const row of list) patch.push({ op: 'put', table, row });
    }
    try {
      await this.replica.applyServer({
        resources: [{ path: state.path, temporary: state.temporary, patch }],
      });
    } catch (e) {
      state.dueAt = this.clock.now() + state.refreshMs;
      state.markError(e instanceof SSSyncError ? e : new SSSyncError('PROTOCOL', errorMessage(e)), false);
      return;
    }
    state.cursor = 'loaded';
    state.dueAt = this.clock.now() + state.refreshMs;
    state.markReady(Date.now());
  }
}
