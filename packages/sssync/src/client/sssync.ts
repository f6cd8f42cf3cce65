import { queryRoot } from '../mutation/client-tx.js';
import type { MutatorArgs, MutatorDefs, Mutators } from '../mutation/mutators.js';
import type { QueryRoot } from '../mutation/transaction.js';
import type { QueryAST } from '../query/ast.js';
import { evaluate } from '../query/evaluate.js';
import type { QueryHost } from '../query/query.js';
import { Replica } from '../replica/replica.js';
import type { Schema } from '../schema/schema.js';
import type { RowRecord } from '../schema/validate-row.js';
import type { Store } from '../store/store.js';
import type { HttpExchange } from '../sync/http.js';
import type { Loaders, ResourceHandle } from '../sync/resources.js';
import type { SyncStatus } from '../sync/status.js';
import { SyncEngine, type SyncOptions } from '../sync/sync-engine.js';
import { SSSyncError } from '../util/errors.js';
import { type MutationResult, type MutationStatus, MutationTracker } from './mutation-tracker.js';

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
    this.ready = Replica.open(options.store, id, options.schema, options.mutators.defs).then((replica) => {
      this.replica = replica;
      this.engine = new SyncEngine(replica, options.schema, options, options.loaders, {
        confirmed: (mid) => this.tracker.confirm(mid),
        rejected: (entry, error) => {
          this.tracker.reject(entry.id, error);
          options.onMutationError?.(error, { id: entry.id, name: entry.name, args: entry.args });
        },
        renumbered: (map) => this.tracker.renumber(map),
        updateNeeded: (error) => options.onUpdateNeeded?.(error),
        ...(options.onExchange ? { exchange: options.onExchange } : {}),
      });
      if (this.closed) this.engine.stop();
      else this.engine.kick();
    });
    this.ready.catch(() => {});
    const host: QueryHost = {
      schema: this.schema,
      run: async (ast) => {
        const r = await this.open();
        await r.settled();
        return evaluate(r.db, ast);
      },
      subscribe: (ast, listener) => this.subscribe(ast, listener),
    };
    this.query = queryRoot(host) as unknown as QueryRoot<S>;
    const execute: Record<string, unknown> = {};
    for (const name of Object.keys(options.mutators.defs)) {
      execute[name] = (...args: unknown[]) => this.mutate(name, args);
    }
    this.execute = execute as Executors<M>;
  }

  /** Mutations applied locally and not yet applied by the server. */
  get pendingCount(): number {
    return this.replica?.outbox.length ?? 0;
  }

  /** This client's id within its client group (one client group per store). */
  get clientID(): string | undefined {
    return this.replica?.clientID;
  }

  /** What sync is doing; `subscribeStatus` to follow it. */
  get status(): SyncStatus {
    const s = this.engine?.status.get();
    return s ? { ...s, pending: this.pendingCount } : { ...initialStatusFor(this.pendingCount) };
  }

  subscribeStatus(listener: (status: SyncStatus) => void): () => void {
    let stop: (() => void) | undefined;
    let cancelled = false;
    this.ready.then(
      () => {
        if (!cancelled) stop = this.engine!.status.subscribe(() => listener(this.status));
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

  /** Pushes everything queued and pulls what is due; resolves when done (or throws why not). */
  async sync(): Promise<void> {
    await this.open();
    await this.engine!.flush();
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

  /** Stops syncing, waits for queued writes, then closes the store. Later calls fail with `CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.engine?.stop();
    await this.ready.catch(() => {});
    await this.replica?.close();
  }

  private acquire(
    path: string,
    opts: { params?: Record<string, string | number>; refreshSeconds?: number; temporary: boolean },
  ): ResourceHandle {
    if (this.closed) throw new SSSyncError('CLOSED', `SSSync "${this.id}" is closed.`);
    if (!this.engine) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        'persist()/temporary() need the client to be ready: await sssync.ready first.',
      );
    }
    return this.engine.acquire(path, opts);
  }

  private async open(): Promise<Replica<S>> {
    if (this.closed) throw new SSSyncError('CLOSED', `SSSync "${this.id}" is closed.`);
    await this.ready;
    return this.replica!;
  }

  private subscribe(ast: QueryAST, listener: (rows: readonly RowRecord[]) => void): () => void {
    let stop: (() => void) | undefined;
    let cancelled = false;
    const start = () => {
      if (!cancelled) stop = this.replica!.live.subscribe(ast, listener);
    };
    if (this.replica) start();
    else this.ready.then(start, () => {});
    return () => {
      cancelled = true;
      stop?.();
    };
  }

  private mutate(name: string, args: unknown[]): MutationResult {
    return this.tracker.track(async () => {
      const r = await this.open();
      const entry = await r.mutate(name, args);
      this.engine?.kick();
      return entry.id;
    });
  }
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
