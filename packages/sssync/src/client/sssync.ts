import { type LogEntry, MutationLog, parseLog, type SSSyncLog } from '../history/event-log.js';
import { newStep, planRestore, type Step, UndoHistory, type UndoResult } from '../history/undo-history.js';
import { queryRoot } from '../mutation/client-tx.js';
import type { MutatorArgs, MutatorDefs, Mutators } from '../mutation/mutators.js';
import { RESTORE_MUTATOR } from '../mutation/restore.js';
import type { QueryRoot } from '../mutation/transaction.js';
import type { QueryAST } from '../query/ast.js';
import type { Change } from '../query/database.js';
import { evaluate } from '../query/evaluate.js';
import type { LiveSet } from '../query/live-set.js';
import type { QueryHost } from '../query/query.js';
import { randomID } from '../replica/meta.js';
import { Replica } from '../replica/replica.js';
import type { Schema } from '../schema/schema.js';
import type { RowRecord } from '../schema/validate-row.js';
import type { Store } from '../store/store.js';
import type { HttpExchange } from '../sync/http.js';
import type { Loaders, ResourceHandle } from '../sync/resources.js';
import { deferred } from '../sync/resources.js';
import type { SyncStatus } from '../sync/status.js';
import { StatusCell } from '../sync/status.js';
import { SyncEngine, type SyncOptions } from '../sync/sync-engine.js';
import { SSSyncError, type SSSyncErrorCode } from '../util/errors.js';
import { FollowerResource } from './follower-resource.js';
import { type DevtoolsSource, followerResources, Inspector, leaderResources } from './inspector.js';
import { type LeaderLock, leaderLock, tabChannelName } from './leader-lock.js';
import { type MutationResult, type MutationStatus, MutationTracker } from './mutation-tracker.js';
import { openTabChannel, type TabChannel, type TabMessage, toWire, type WireError } from './tab-messages.js';

export type Executors<M> = { readonly [K in keyof M]: (...args: MutatorArgs<M[K]>) => MutationResult };

export interface SSSyncOptions<S extends Schema, M extends MutatorDefs<S>> extends SyncOptions {
  schema: S;
  mutators: Mutators<S, M>;
  store: Store;
  /** The resources the app may load; `{}` = from the server, or a function that loads rows itself. */
  loaders?: Loaders;
  /** A mutation the server rejected (already rolled back locally). */
  onMutationError?: (
    error: SSSyncError,
    mutation: { id: number; name: string; args: readonly unknown[] },
  ) => void;
  /** The server no longer serves this app's protocol or schema version: sync stopped, writes are kept. */
  onUpdateNeeded?: (reason: SSSyncError) => void;
  /** Every push/pull exchange (sizes, timings), for devtools and logs. */
  onExchange?: (x: HttpExchange & { kind: 'push' | 'pull' }) => void;
}

export interface ExportedData {
  readonly id: string;
  readonly schemaVersion: number;
  readonly exportedAt: string;
  readonly tables: Readonly<Record<string, readonly RowRecord[]>>;
  readonly pendingMutations: readonly {
    id: number;
    name: string;
    args: readonly unknown[];
    timestamp: number;
  }[];
}

/**
 * The client: a typed, queryable, in-memory copy of the app's data backed by a store, named mutations
 * applied at once and kept in a durable outbox, and (with a `server`) sync by plain HTTP.
 */
export class SSSync<S extends Schema, M extends MutatorDefs<S> = MutatorDefs<S>> {
  readonly id: string;
  readonly schema: S;
  /** `sssync.query.books.where(...)`: typed, immutable query builders. */
  readonly query: QueryRoot<S>;
  /** `sssync.execute.createBook(...)`: runs the mutator now and queues it for the server. */
  readonly execute: Executors<M>;
  /** Resolves once the store is open (and migrated); rejects with the reason it could not be. */
  readonly ready: Promise<void>;

  private replica: Replica<S> | undefined;
  private engine: SyncEngine<S> | undefined;
  private readonly tracker = new MutationTracker();
  private closed = false;
  private readonly options: SSSyncOptions<S, M>;
  private readonly lock: LeaderLock;
  private readonly channel: TabChannel;
  private readonly tab = randomID();
  /** Starting, then leading (writes the store, syncs) or following (forwards to the leader). */
  private role: 'starting' | 'leader' | 'follower' = 'starting';
  private promoted = false;
  private hasFollowers = false;
  private readonly welcome = deferred();
  private readonly buffered: TabMessage[] = [];
  private readonly forwarded = new Map<
    string,
    {
      name: string;
      args: unknown[];
      resolve(id: number, changes?: readonly Change[]): void;
      reject(e: unknown): void;
    }
  >();
  private readonly history = new UndoHistory();
  private readonly log = new MutationLog();
  /** Undo and redo run one at a time, each on the state the previous one left. */
  private undoChain: Promise<unknown> = Promise.resolve();
  private readonly followerResources = new Map<string, FollowerResource>();
  /** Resources the leader holds for follower tabs, by `${tab}:${req}`. */
  private readonly heldForTabs = new Map<string, ResourceHandle>();
  private readonly mirroredStatus = new StatusCell();
  private readonly inspector = new Inspector();

  constructor(id: string, options: SSSyncOptions<S, M>) {
    if (typeof id !== 'string' || id.length === 0) {
      throw new SSSyncError('INVALID_ARGUMENT', 'new SSSync(id, options): id must be a non-empty string.');
    }
    if (!options?.schema || !options.mutators || !options.store) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        'new SSSync(id, options): options need schema, mutators and store.',
      );
    }
    if (options.mutators.schema !== options.schema) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        'The mutators were defined for another schema than the one given.',
      );
    }
    if (options.server !== undefined && !/^(https?:\/\/|\/)/.test(options.server)) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        `server must be an http(s) URL or a path, got "${options.server}".`,
      );
    }
    this.id = id;
    this.schema = options.schema;
    this.options = options;
    this.lock = leaderLock(`sssync-leader:${id}`, options.store);
    this.channel = openTabChannel(tabChannelName(id, options.store), (m) => this.onTabMessage(m));
    this.ready = this.start().catch((e) => {
      // A client that could not open lets go of the store, so another instance can.
      this.engine?.stop();
      this.lock.release();
      this.channel.close();
      throw e;
    });
    this.ready.catch(() => {});
    const host: QueryHost = {
      schema: this.schema,
      run: async (ast) => {
        const r = await this.open();
        return r.read(() => evaluate(r.db, ast));
      },
      subscribe: (ast, listener) => this.subscribe((live) => live.subscribe(ast, listener)),
      subscribeChanges: (ast, listener) => this.subscribe((live) => live.subscribeChanges(ast, listener)),
    };
    this.query = queryRoot(host) as unknown as QueryRoot<S>;
    const execute: Record<string, unknown> = {};
    for (const name of Object.keys(options.mutators.defs)) {
      if (name === RESTORE_MUTATOR) continue; // run by undo()/redo(), not by the app
      execute[name] = (...args: unknown[]) => this.mutate(name, args);
    }
    this.execute = execute as Executors<M>;
  }

  /** Mutations applied locally and not yet applied by the server. */
  get pendingCount(): number {
    return this.replica?.pendingCount ?? 0;
  }

  /** Whether this instance leads its store (writes it and syncs); other tabs forward to the leader. */
  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /** This client's id within its client group (one client group per store). */
  get clientID(): string | undefined {
    return this.replica?.clientID;
  }

  /** What sync is doing; `subscribeStatus` to follow it. */
  get status(): SyncStatus {
    const s = this.role === 'follower' ? this.mirroredStatus.get() : this.engine?.status.get();
    return s ? { ...s, pending: this.pendingCount } : { ...initialStatusFor(this.pendingCount) };
  }

  subscribeStatus(listener: (status: SyncStatus) => void): () => void {
    let stop: (() => void) | undefined;
    let cancelled = false;
    this.ready.then(
      () => {
        if (cancelled) return;
        const a = this.mirroredStatus.subscribe(() => listener(this.status));
        const b = this.engine?.status.subscribe(() => listener(this.status));
        stop = () => {
          a();
          b?.();
        };
      },
      () => {},
    );
    return () => {
      cancelled = true;
      stop?.();
    };
  }

  /** The status of a mutation by id: `pending`, `confirmed` or `rejected` (`undefined` if unknown). */
  mutationStatus(id: number): MutationStatus | undefined {
    return this.tracker.status(id);
  }

  /**
   * A resource synced incrementally and kept on the device: its cursor and rows are stored, it is
   * usable offline at once on the next start, and it is pulled periodically (and on `refresh()`).
   */
  persist(path: string, opts: { params?: Record<string, string | number> } = {}): ResourceHandle {
    return this.acquire(path, { ...opts, temporary: false });
  }

  /**
   * A resource fetched into memory only (never written to the store), refreshed every
   * `refreshSeconds` while held, and dropped a while after the last `release()`.
   */
  temporary(
    path: string,
    opts: { params?: Record<string, string | number>; refreshSeconds?: number } = {},
  ): ResourceHandle {
    return this.acquire(path, { ...opts, temporary: true });
  }

  /**
   * The client's internals for `sssync/devtools` (outbox with verdicts, resources with cursors, the
   * request log, row counts, a simulated-offline switch). Read-only snapshots, except that switch.
   */
  inspect(): DevtoolsSource {
    return this.inspector.source({
      id: this.id,
      schema: this.schema,
      storeKind: this.options.store.kind,
      role: () => this.role,
      clientID: () => this.clientID,
      status: () => this.status,
      subscribeStatus: (l) => this.subscribeStatus(l),
      tables: () => {
        const db = this.replica?.db;
        return db ? [...db.tableNames()].map((name) => ({ name, count: db.table(name).rows.size })) : [];
      },
      outbox: () =>
        this.role === 'leader' && this.replica && this.engine
          ? { entries: this.replica.outbox, sending: this.engine.sending }
          : undefined,
      resources: () =>
        this.role === 'leader' && this.engine
          ? leaderResources(this.engine.listResources())
          : followerResources(this.followerResources.values()),
      setSimulatedOffline: (on) => {
        if (this.role === 'leader') this.engine?.setSimulatedOffline(on);
      },
    });
  }

  /** Pushes everything queued and pulls what is due; resolves when done (or throws why not). */
  async sync(): Promise<void> {
    await this.open();
    await this.engine?.flush();
  }

  /** Every row of every table and the pending mutations, as plain JSON. */
  async export(): Promise<ExportedData> {
    const r = await this.open();
    await r.idle();
    const tables: Record<string, RowRecord[]> = {};
    for (const name of r.db.tableNames()) tables[name] = [...r.db.table(name).rows.values()];
    return {
      id: this.id,
      schemaVersion: this.schema.version,
      exportedAt: new Date().toISOString(),
      tables,
      pendingMutations: r.outbox.map(({ id, name, args, timestamp }) => ({ id, name, args, timestamp })),
    };
  }

  /**
   * Undoes this instance's most recent step (one mutation, or one `batch`) with a new mutation that
   * puts back the rows it changed — a write like any other: it applies offline and syncs. Rows changed
   * by anyone since (their value is no longer what the step produced) are left alone and listed in
   * `skipped`. The history is per instance, in memory, and at most 100 steps deep.
   */
  undo(): Promise<UndoResult> {
    return this.restoreStep('undo');
  }

  /** Redoes the last undone step (the same rules as `undo`); a new local mutation clears redo. */
  redo(): Promise<UndoResult> {
    return this.restoreStep('redo');
  }

  get canUndo(): boolean {
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    return this.history.canRedo;
  }

  /**
   * Groups the mutations started while `fn` runs (awaited or not) into one undo step. Mutations
   * started elsewhere during an asynchronous `fn` join the step too.
   */
  async batch<T>(fn: () => T | Promise<T>): Promise<T> {
    const close = this.history.openBatch();
    try {
      return await fn();
    } finally {
      close();
    }
  }

  /**
   * This client's mutation log as readable JSON: the mutations not yet synced when this instance
   * started and every mutation it made since (memory only, the last 10,000; rejected ones left out),
   * oldest first. `{ data: true }` adds every row, for reading (`importLog` replays mutations only).
   */
  async exportLog(opts: { data?: boolean } = {}): Promise<SSSyncLog> {
    const r = await this.open();
    await r.idle();
    const log: SSSyncLog = {
      format: 'sssync-log',
      version: 1,
      schemaVersion: this.schema.version,
      exportedAt: new Date().toISOString(),
      mutations: this.log.mutations,
    };
    return opts.data ? { ...log, data: (await this.export()).tables } : log;
  }

  /**
   * Replays a log (an object or its JSON text) through this app's mutators, oldest first, as new
   * mutations that sync like any other. The whole log is checked first: an unknown mutator name is
   * `UNKNOWN_MUTATOR` and bad arguments `INVALID_ARGUMENT` (`details.index`), and then nothing is
   * applied. The import is one undo step. If a mutator fails while replaying (say `DUPLICATE_ID`),
   * the import stops there: the entries before it stay applied (`details.applied`).
   */
  async importLog(log: SSSyncLog | string | unknown): Promise<{ imported: number }> {
    await this.open();
    const entries: LogEntry[] = await parseLog(log, this.options.mutators.defs, this.schema.version);
    return this.batch(async () => {
      for (const [index, e] of entries.entries()) {
        try {
          await this.mutate(e.name, [...e.args]);
        } catch (err) {
          const code = err instanceof SSSyncError ? err.code : 'MUTATOR_FAILED';
          throw new SSSyncError(
            code,
            `importLog: mutation ${index} (${e.name}) failed: ${(err as Error).message} The ${index} before it were applied.`,
            { cause: err, details: { index, applied: index } },
          );
        }
      }
      return { imported: entries.length };
    });
  }

  private restoreStep(from: 'undo' | 'redo'): Promise<UndoResult> {
    const run = this.undoChain.then(async (): Promise<UndoResult> => {
      const r = await this.open();
      const step = await this.history.take(from);
      if (!step) return { undone: 0, skipped: [] };
      const plan = await r.read(() => planRestore(step, (t, id) => r.db.table(t).get(id) ?? null));
      if (plan.items.length === 0) return { undone: 0, skipped: plan.skipped };
      const result = newStep();
      try {
        await this.mutate(RESTORE_MUTATOR, [plan.items], result);
      } catch (e) {
        this.history.pushResult(from, step);
        throw e;
      }
      this.history.pushResult(from === 'undo' ? 'redo' : 'undo', result);
      // A row that changed between planning and running was left alone by the mutator itself.
      const changed = new Set(result.changes.map((c) => JSON.stringify([c.table, c.id])));
      const late = plan.items.filter((i) => !changed.has(JSON.stringify([i.table, i.id])));
      return {
        undone: plan.items.length - late.length,
        skipped: [...plan.skipped, ...late.map(({ table, id }) => ({ table, id }))],
      };
    });
    this.undoChain = run.catch(() => {});
    return run;
  }

  /** Stops syncing, waits for queued writes, then closes the store. Later calls fail with `CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.engine?.stop();
    await this.ready.catch(() => {});
    for (const h of this.heldForTabs.values()) h.release();
    const closed = new SSSyncError('CLOSED', `SSSync "${this.id}" is closed.`);
    for (const f of this.forwarded.values()) f.reject(closed);
    this.forwarded.clear();
    // A follower never opened the store for writing; closing it would close the leader's too.
    if (this.role === 'leader') await this.replica?.close();
    this.lock.release();
    this.channel.close();
  }

  private acquire(
    path: string,
    opts: { params?: Record<string, string | number>; refreshSeconds?: number; temporary: boolean },
  ): ResourceHandle {
    if (this.closed) throw new SSSyncError('CLOSED', `SSSync "${this.id}" is closed.`);
    if (this.role === 'leader' && this.engine) return this.engine.acquire(path, opts);
    if (this.role !== 'follower') {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        'persist()/temporary() need the client to be ready: await sssync.ready first.',
      );
    }
    const req = randomID();
    const handle = new FollowerResource({
      path,
      temporary: opts.temporary,
      req,
      params: opts.params,
      refreshSeconds: opts.refreshSeconds,
      send: (t) => this.channel.post({ t, tab: this.tab, req }),
    });
    this.followerResources.set(req, handle);
    this.channel.post({
      t: 'acquire',
      tab: this.tab,
      req,
      path,
      temporary: opts.temporary,
      params: opts.params,
      refreshSeconds: opts.refreshSeconds,
    });
    return handle;
  }

  // ---- tabs: one leader per store writes and syncs; the others forward to it and mirror its commits

  private async start(): Promise<void> {
    const leads = await this.lock.acquire(() => {
      this.promoted = true;
      if (this.closed) {
        this.lock.release();
        return;
      }
      if (this.role === 'follower' && this.replica) void this.promote();
      else this.welcome.resolve();
    });
    if (leads) {
      this.promoted = true;
      await this.lead(
        await Replica.open(this.options.store, this.id, this.schema, this.options.mutators.defs),
      );
      return;
    }
    this.role = 'follower';
    this.channel.post({ t: 'hello', tab: this.tab });
    await this.welcome.promise;
    if (this.promoted) {
      await this.lead(
        await Replica.open(this.options.store, this.id, this.schema, this.options.mutators.defs),
      );
      return;
    }
    this.replica = await Replica.open(this.options.store, this.id, this.schema, this.options.mutators.defs, {
      readOnly: true,
    });
    for (const m of this.buffered.splice(0)) this.onTabMessage(m);
    if (this.promoted) await this.promote();
  }

  /** Becomes the leader over `replica`: sync starts, commits and verdicts are broadcast. */
  private async lead(replica: Replica<S>): Promise<void> {
    const options = this.options;
    this.replica = replica;
    this.role = 'leader';
    this.log.seed(replica.outbox);
    replica.onCommit = (changes, seq) => {
      // Other tabs say hello before they load the store: until one has, nobody needs the commits.
      if (!this.hasFollowers) return;
      this.channel.post({
        t: 'commit',
        seq,
        rows: changes.map((c) => ({ table: c.table, id: c.id, after: c.after })),
        pending: replica.outbox.length,
      });
    };
    const fetch = this.inspector.watchFetch(options.fetch);
    this.engine = new SyncEngine(replica, options.schema, { ...options, fetch }, options.loaders, {
      confirmed: (mid) => {
        this.inspector.confirmed(mid, replica.outbox);
        this.tracker.confirm(mid);
        this.log.settle(mid);
        this.channel.post({ t: 'verdict', id: mid });
      },
      rejected: (entry, error) => {
        this.inspector.rejected(entry.id, entry, error);
        this.tracker.reject(entry.id, error);
        this.log.remove(entry.id);
        this.channel.post({ t: 'verdict', id: entry.id, error: toWire(error) });
        options.onMutationError?.(error, { id: entry.id, name: entry.name, args: entry.args });
      },
      renumbered: (map) => {
        this.inspector.renumbered(map);
        this.tracker.renumber(map);
        this.log.renumber(map);
        this.channel.post({ t: 'renumber', map: [...map] });
      },
      updateNeeded: (error) => options.onUpdateNeeded?.(error),
      exchange: (x) => {
        this.inspector.exchange(x);
        options.onExchange?.(x);
      },
    });
    if (this.inspector.simulatedOffline) this.engine.setSimulatedOffline(true);
    this.engine.status.subscribe((s) =>
      this.channel.post({
        t: 'status',
        status: { ...s, lastError: s.lastError ? toWire(s.lastError) : null },
      }),
    );
    this.channel.post({ t: 'welcome', to: '*' });
    if (this.closed) this.engine.stop();
    else this.engine.kick();
  }

  /** A follower whose leader went away: reload from the store, lead, redo what the old leader left. */
  private async promote(): Promise<void> {
    const replica = this.replica!;
    // Other followers of the old leader may be listening and will not say hello again.
    this.hasFollowers = true;
    await replica.promote(this.schema);
    await this.lead(replica);
    for (const [req, f] of this.forwarded) {
      this.forwarded.delete(req);
      const done = replica.requestResult(req);
      if (done !== undefined) f.resolve(done);
      else replica.mutate(f.name, f.args, req).then((e) => f.resolve(e.id), f.reject);
    }
    for (const [req, handle] of this.followerResources) {
      this.followerResources.delete(req);
      if (handle.isReleased) continue;
      handle.attach(
        this.engine!.acquire(handle.path, {
          temporary: handle.temporary,
          ...(handle.params ? { params: handle.params } : {}),
          ...(handle.refreshSeconds !== undefined ? { refreshSeconds: handle.refreshSeconds } : {}),
        }),
      );
    }
  }

  private onTabMessage(m: TabMessage): void {
    if (this.closed) return;
    if (this.role === 'leader') this.asLeader(m);
    else this.asFollower(m);
  }

  private asLeader(m: TabMessage): void {
    const replica = this.replica!;
    if (m.t === 'hello' || m.t === 'mutate' || m.t === 'acquire') this.hasFollowers = true;
    switch (m.t) {
      case 'hello':
        this.channel.post({ t: 'welcome', to: m.tab });
        return;
      case 'mutate': {
        const done = replica.requestResult(m.req);
        let changes: readonly Change[] | undefined;
        const run =
          done !== undefined
            ? Promise.resolve(done)
            : replica
                .mutate(m.name, m.args, m.req, (c) => {
                  changes = c;
                })
                .then((e) => e.id);
        run.then(
          (id) => {
            this.channel.post({ t: 'mutated', req: m.req, id, ...(changes ? { changes } : {}) });
            this.engine?.kick();
          },
          (e) => this.channel.post({ t: 'mutated', req: m.req, error: toWire(e) }),
        );
        return;
      }
      case 'acquire': {
        const key = `${m.tab}:${m.req}`;
        let handle: ResourceHandle;
        try {
          handle = this.engine!.acquire(m.path, {
            temporary: m.temporary,
            ...(m.params ? { params: m.params } : {}),
            ...(m.refreshSeconds !== undefined ? { refreshSeconds: m.refreshSeconds } : {}),
          });
        } catch (e) {
          this.channel.post({
            t: 'resource',
            req: m.req,
            status: 'error',
            error: toWire(e),
            lastRefreshAt: null,
          });
          return;
        }
        this.heldForTabs.set(key, handle);
        const report = (refreshed = false) =>
          this.channel.post({
            t: 'resource',
            req: m.req,
            status: handle.status,
            error: handle.error ? toWire(handle.error) : null,
            lastRefreshAt: handle.lastRefreshAt,
            refreshed,
          });
        handle.subscribe(() => report());
        handle.ready.then(
          () => report(),
          () => report(),
        );
        return;
      }
      case 'release': {
        for (const [key, h] of this.heldForTabs) {
          if (key.endsWith(`:${m.req}`)) {
            h.release();
            this.heldForTabs.delete(key);
          }
        }
        return;
      }
      case 'refresh': {
        const h = [...this.heldForTabs].find(([key]) => key.endsWith(`:${m.req}`))?.[1];
        h?.refresh().then(
          () =>
            this.channel.post({
              t: 'resource',
              req: m.req,
              status: h.status,
              error: null,
              lastRefreshAt: h.lastRefreshAt,
              refreshed: true,
            }),
          (e) =>
            this.channel.post({
              t: 'resource',
              req: m.req,
              status: h.status,
              error: toWire(e),
              lastRefreshAt: h.lastRefreshAt,
            }),
        );
        return;
      }
      default:
        return;
    }
  }

  private asFollower(m: TabMessage): void {
    switch (m.t) {
      case 'welcome':
        if (m.to === '*' || m.to === this.tab) this.welcome.resolve();
        return;
      case 'commit':
        if (this.replica) this.replica.applyRemote(m.seq, m.rows, m.pending);
        else this.buffered.push(m);
        return;
      case 'mutated': {
        const f = this.forwarded.get(m.req);
        if (!f) return;
        this.forwarded.delete(m.req);
        if (m.error) f.reject(fromWire(m.error));
        else f.resolve(m.id!, m.changes);
        return;
      }
      case 'verdict':
        if (m.error) {
          this.inspector.rejected(m.id, undefined, fromWire(m.error));
          this.tracker.reject(m.id, fromWire(m.error));
        } else {
          this.inspector.confirmed(m.id);
          this.tracker.confirm(m.id);
        }
        return;
      case 'renumber':
        this.inspector.renumbered(new Map(m.map));
        this.tracker.renumber(new Map(m.map));
        return;
      case 'status':
        this.mirroredStatus.set({
          ...m.status,
          lastError: m.status.lastError ? fromWire(m.status.lastError) : null,
        });
        return;
      case 'resource':
        this.followerResources.get(m.req)?.update(m.status, m.error, m.lastRefreshAt, m.refreshed ?? false);
        return;
      default:
        return;
    }
  }

  private async open(): Promise<Replica<S>> {
    if (this.closed) throw new SSSyncError('CLOSED', `SSSync "${this.id}" is closed.`);
    await this.ready;
    return this.replica!;
  }

  /** Subscribes to the replica's live queries, once the client is open. */
  private subscribe(to: (live: LiveSet) => () => void): () => void {
    let stop: (() => void) | undefined;
    let cancelled = false;
    const start = () => {
      if (!cancelled) stop = to(this.replica!.live);
    };
    if (this.replica) start();
    else this.ready.then(start, () => {});
    return () => {
      cancelled = true;
      stop?.();
    };
  }

  /** Runs a mutation; its changes go to `step` (by default a new undo step, or the open batch). */
  private mutate(name: string, args: unknown[], step: Step = this.history.stepForMutation()): MutationResult {
    const timestamp = Date.now();
    const applied = (id: number, changes: readonly Change[] | undefined) => {
      step.changes.push(...(changes ?? []));
      this.log.record(id, { name, args, timestamp });
      this.inspector.mutated(id, name, args, timestamp);
    };
    const result = this.tracker.track(async () => {
      const r = await this.open();
      if (this.role === 'follower') {
        const req = randomID();
        return new Promise<number>((resolve, reject) => {
          this.forwarded.set(req, {
            name,
            args,
            resolve: (id, changes) => {
              applied(id, changes);
              resolve(id);
            },
            reject,
          });
          try {
            this.channel.post({ t: 'mutate', tab: this.tab, req, name, args });
          } catch (e) {
            this.forwarded.delete(req);
            reject(
              new SSSyncError('INVALID_ARGUMENT', `Mutator "${name}": arguments must be JSON data.`, {
                cause: e,
              }),
            );
          }
        });
      }
      const entry = await r.mutate(name, args, undefined, (changes, e) => applied(e.id, changes));
      this.engine?.kick();
      return entry.id;
    });
    step.applying.push(result.catch(() => {}));
    return result;
  }
}

function fromWire(e: WireError): SSSyncError {
  return new SSSyncError(
    e.code as SSSyncErrorCode,
    e.message,
    e.details ? { details: e.details } : undefined,
  );
}

function initialStatusFor(pending: number): SyncStatus {
  return {
    online: true,
    pushing: false,
    pulling: false,
    pending,
    lastSyncAt: null,
    lastError: null,
    updateNeeded: false,
    stopped: false,
  };
}
