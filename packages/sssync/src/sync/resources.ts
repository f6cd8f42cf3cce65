import { SSSyncError } from '../util/errors.js';

/** Rows a loader function returns: table name → complete rows. */
export type LoadedRows = Readonly<Record<string, readonly Readonly<Record<string, unknown>>[]>>;

/**
 * A loader declares a resource the app may load. `{}` means "served by the sync server"; a function
 * fetches any existing endpoint and maps its JSON into rows (a full load each time, no cursor), so an
 * app can adopt SSSync before its backend speaks the protocol.
 */
export type LoaderFn = (ctx: {
  path: string;
  params: Readonly<Record<string, string>>;
}) => Promise<LoadedRows>;
export type Loader = LoaderFn | { readonly load?: LoaderFn };
export type Loaders = Readonly<Record<string, Loader>>;

export type ResourceStatus = 'loading' | 'ready' | 'error' | 'released';

/** What `persist()` and `temporary()` return. Each call is one holder; `release()` lets go. */
export interface ResourceHandle {
  readonly path: string;
  readonly temporary: boolean;
  /** Resolves once the resource's data is in the client (at once for stored data); rejects on error. */
  readonly ready: Promise<void>;
  readonly status: ResourceStatus;
  readonly error: SSSyncError | null;
  readonly lastRefreshAt: number | null;
  /** Fetches now; resolves when the fetch completed. */
  refresh(): Promise<void>;
  release(): void;
  /** Calls `listener` when status, error or lastRefreshAt change. */
  subscribe(listener: () => void): () => void;
}

export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** One resource's shared state; every handle on the same path points here. */
export class ResourceState {
  readonly path: string;
  readonly temporary: boolean;
  readonly params: Readonly<Record<string, string>>;
  readonly loader: LoaderFn | undefined;
  refreshMs: number;
  ttlMs: number;
  holders = 0;
  cursor: string | null;
  /** A page of a full load or catch-up was cut (`more`): pull again at once. */
  more = false;
  dueAt = 0;
  status: ResourceStatus = 'loading';
  error: SSSyncError | null = null;
  lastRefreshAt: number | null = null;
  ttlTimer: unknown;
  readonly ready = deferred();
  waiters: Deferred[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(init: {
    path: string;
    temporary: boolean;
    params: Readonly<Record<string, string>>;
    loader: LoaderFn | undefined;
    refreshMs: number;
    ttlMs: number;
    cursor: string | null;
  }) {
    this.path = init.path;
    this.temporary = init.temporary;
    this.params = init.params;
    this.loader = init.loader;
    this.refreshMs = init.refreshMs;
    this.ttlMs = init.ttlMs;
    this.cursor = init.cursor;
    // Stored data is usable at once, offline included; a fresh resource waits for its first load.
    if (this.cursor !== null) this.markReady(null);
  }

  markReady(at: number | null): void {
    this.status = 'ready';
    this.error = null;
    if (at !== null) this.lastRefreshAt = at;
    this.ready.resolve();
    for (const w of this.waiters.splice(0)) w.resolve();
    this.emit();
  }

  /** Fails the resource's waiters — only those in `only` when given (the ones the failed try was for). */
  markError(error: SSSyncError, final: boolean, only?: ReadonlySet<Deferred>): void {
    this.error = error;
    if (this.status !== 'ready' || final) this.status = 'error';
    if (final) this.ready.reject(error);
    const failing = only && !final ? this.waiters.filter((w) => only.has(w)) : this.waiters;
    this.waiters = this.waiters.filter((w) => !failing.includes(w));
    for (const w of failing) w.reject(error);
    this.emit();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(): void {
    for (const l of [...this.listeners]) l();
  }

  handle(release: () => void, refresh: () => Promise<void>): ResourceHandle {
    const state = this;
    let released = false;
    return {
      path: state.path,
      temporary: state.temporary,
      ready: state.ready.promise,
      get status() {
        return released ? 'released' : state.status;
      },
      get error() {
        return state.error;
      },
      get lastRefreshAt() {
        return state.lastRefreshAt;
      },
      refresh: () => {
        if (released)
          return Promise.reject(new SSSyncError('CLOSED', `Resource "${state.path}" was released.`));
        return refresh();
      },
      release: () => {
        if (released) return;
        released = true;
        release();
      },
      subscribe: (l) => state.subscribe(l),
    };
  }
}
