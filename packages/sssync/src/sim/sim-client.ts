/** One simulated client: its store (kept across crashes), the running SSSync instance, its bookkeeping. */
import type { SSSync } from '../client/sssync.js';
import { memoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import type { ResourceHandle } from '../sync/resources.js';
import type { SimSchema, simMutators } from './app.js';

export type App = SSSync<SimSchema, typeof simMutators.defs>;

export class SimClient {
  readonly index: number;
  readonly user: string;
  app: App | undefined;
  instance = 0;
  /** Store generations: an eviction starts a new one. */
  era = 0;
  /** Mutations created, for their tags. */
  n = 0;
  inner: Store = memoryStore();
  failNextCommit = false;
  /** `/items` (persisted) and `/shared` (persisted, or temporary: memory only, with a TTL). */
  handles: ResourceHandle[] = [];
  /** Whether this client holds `/shared` as a temporary resource. */
  temporary = false;
  /** A temporary `/shared` let go of (its rows leave after the TTL unless it is taken again). */
  released = false;
  readonly labels = new Map<string, string>();
  /** Tags that left the outbox: they must never come back. */
  readonly retired = new Set<string>();
  outbox: string[] = [];

  constructor(index: number, user: string) {
    this.index = index;
    this.user = user;
  }

  get name(): string {
    return `c${this.index}`;
  }

  /** The store the client opens: the inner one, with a commit that throws when armed. */
  readonly store: Store = {
    kind: 'sim',
    open: (name) => this.inner.open(name),
    load: () => this.inner.load(),
    close: () => this.inner.close(),
    commit: (batch) => {
      if (this.failNextCommit) {
        this.failNextCommit = false;
        return Promise.reject(new Error('injected: the transaction was aborted'));
      }
      return this.inner.commit(batch);
    },
  };

  label(clientID: string | undefined): string {
    if (clientID === undefined) return `${this.name}:?`;
    let l = this.labels.get(clientID);
    if (!l) {
      l = `${this.name}:${this.labels.size}`;
      this.labels.set(clientID, l);
    }
    return l;
  }
}

/** Lets every promise chain the last action started run to its end (clients only use microtasks). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 1; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
