import { queryRoot } from '../mutation/client-tx.js';
import type { MutatorArgs, MutatorDefs, Mutators } from '../mutation/mutators.js';
import { runMutation } from '../mutation/run-mutation.js';
import type { QueryRoot } from '../mutation/transaction.js';
import type { QueryAST } from '../query/ast.js';
import type { Change } from '../query/database.js';
import { evaluate } from '../query/evaluate.js';
import { LiveSet } from '../query/live-set.js';
import type { QueryHost } from '../query/query.js';
import type { Schema } from '../schema/schema.js';
import type { RowRecord } from '../schema/validate-row.js';
import type { OutboxEntry, Store, StoreBatch } from '../store/store.js';
import { errorMessage, SSSyncError } from '../util/errors.js';
import { META } from './meta.js';
import { type OpenedClient, openClient } from './open-store.js';
import { Serial } from './serial.js';

/** What `execute.<name>(...)` returns: resolves once applied locally and durably queued. */
export interface MutationResult extends Promise<void> {
  /** Resolves when the server has applied the mutation; rejects with its reason if it refused it. */
  readonly confirmed: Promise<void>;
}

export type Executors<M> = { readonly [K in keyof M]: (...args: MutatorArgs<M[K]>) => MutationResult };

export interface SSSyncOptions<S extends Schema, M extends MutatorDefs<S>> {
  schema: S;
  mutators: Mutators<S, M>;
  store: Store;
  /** Resources the app may load (see `persist` / `temporary`). */
  loaders?: Readonly<Record<string, unknown>>;
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

interface Deferred {
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * The client: a typed, queryable, in-memory copy of the app's data backed by a store, with named
 * mutations applied at once and kept in a durable outbox.
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

  private readonly store: Store;
  private readonly mutators: M;
  private readonly writes = new Serial();
  private state: (OpenedClient & { live: LiveSet }) | undefined;
  private running: Promise<unknown> | undefined;
  private closed = false;
  private readonly confirmations = new Map<number, Deferred>();

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
    this.id = id;
    this.schema = options.schema;
    this.store = options.store;
    this.mutators = options.mutators.defs;
    this.ready = openClient(this.store, id, this.schema).then((opened) => {
      this.state = { ...opened, live: new LiveSet(opened.db) };
    });
    this.ready.catch(() => {});
    const host: QueryHost = {
      schema: this.schema,
      run: async (ast) => {
        const s = await this.open();
        if (this.running) await this.running.catch(() => {});
        return evaluate(s.db, ast);
      },
      subscribe: (ast, listener) => this.subscribe(ast, listener),
    };
    this.query = queryRoot(host) as unknown as QueryRoot<S>;
    const execute: Record<string, unknown> = {};
    for (const name of Object.keys(this.mutators)) {
      execute[name] = (...args: unknown[]) => this.mutate(name, args);
    }
    this.execute = execute as Executors<M>;
  }

  /** Number of mutations applied locally and not yet confirmed by the server. */
  get pendingCount(): number {
    return this.state?.outbox.length ?? 0;
  }

  /** The id of this client within its client group (one per store). */
  get clientID(): string | undefined {
    return this.state?.meta.get(META.clientID) as string | undefined;
  }

  /** Every row of every table and the pending mutations, as plain JSON. */
  async export(): Promise<ExportedData> {
    const s = await this.open();
    await this.writes.idle();
    const tables: Record<string, RowRecord[]> = {};
    for (const name of s.db.tableNames()) tables[name] = [...s.db.table(name).rows.values()];
    return {
      id: this.id,
      schemaVersion: this.schema.version,
      exportedAt: new Date().toISOString(),
      tables,
      pendingMutations: s.outbox.map(({ id, name, args, timestamp }) => ({ id, name, args, timestamp })),
    };
  }

  /** Waits for queued writes, then closes the store. Later calls fail with `CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.idle();
    await this.ready.catch(() => {});
    await this.store.close();
  }

  private async open(): Promise<OpenedClient & { live: LiveSet }> {
    if (this.closed) throw new SSSyncError('CLOSED', `SSSync "${this.id}" is closed.`);
    await this.ready;
    return this.state!;
  }

  private subscribe(ast: QueryAST, listener: (rows: readonly RowRecord[]) => void): () => void {
    let stop: (() => void) | undefined;
    let cancelled = false;
    const start = (s: OpenedClient & { live: LiveSet }) => {
      if (!cancelled) stop = s.live.subscribe(ast, listener);
    };
    if (this.state) start(this.state);
    else
      this.ready.then(
        () => start(this.state!),
        () => {},
      );
    return () => {
      cancelled = true;
      stop?.();
    };
  }

  private mutate(name: string, args: unknown[]): MutationResult {
    let confirm: Deferred | undefined;
    const confirmed = new Promise<void>((resolve, reject) => {
      confirm = { resolve, reject };
    });
    confirmed.catch(() => {});
    const applied = this.writes.run(async () => {
      const s = await this.open();
      const id = s.meta.get(META.nextMutationID) as number;
      const clientID = s.meta.get(META.clientID) as string;
      const run = runMutation(s.db, this.mutators, name, args, {
        clientID,
        mutationID: id,
        reason: 'initial',
      });
      this.running = run;
      let log: Awaited<typeof run>;
      try {
        log = await run;
      } finally {
        this.running = undefined;
      }
      const changes = log.changes(s.db);
      const entry: OutboxEntry = {
        id,
        name,
        args: structuredClone(args),
        timestamp: Date.now(),
        undo: log.undo,
      };
      try {
        await this.commit(s, changes, {
          putOutbox: [entry],
          putMeta: new Map([[META.nextMutationID, id + 1]]),
        });
      } catch (e) {
        log.rollback(s.db);
        throw e;
      }
      s.meta.set(META.nextMutationID, id + 1);
      s.outbox.push(entry);
      this.confirmations.set(id, confirm!);
      s.live.notify(changes);
    });
    applied.catch((e) => confirm!.reject(e));
    return Object.assign(applied, { confirmed }) as MutationResult;
  }

  /** Writes the pages of `changes` plus `extra` in one store commit; the page map follows on success. */
  private async commit(s: OpenedClient, changes: readonly Change[], extra: StoreBatch): Promise<void> {
    const plan = s.pages.plan(changes, (t, id) => s.db.table(t).get(id));
    try {
      await this.store.commit({ ...extra, putPages: plan.putPages, deletePages: plan.deletePages });
    } catch (e) {
      throw e instanceof SSSyncError
        ? e
        : new SSSyncError(
            'STORE_WRITE_FAILED',
            `Saving to the local store failed: ${errorMessage(e)}. Nothing was changed.`,
            {
              cause: e,
            },
          );
    }
    plan.apply();
  }
}
