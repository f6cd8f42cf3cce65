import type { ResourceHandle, ResourceStatus } from '../sync/resources.js';
import { SSSyncError } from '../util/errors.js';
import { asSSSyncError } from './as-error.js';
import type { AnySSSync } from './context.js';

/** What `useResource` takes: a path, or a path with its options. */
export type ResourceRequest =
  | string
  | {
      readonly path: string;
      readonly params?: Readonly<Record<string, string | number>>;
      /** Memory only, polled every `refreshSeconds` (`sssync.temporary`); default: persisted. */
      readonly temporary?: boolean;
      readonly refreshSeconds?: number;
    };

/** What `useResource` returns: the state of the resource this component holds. */
export interface HeldResource {
  /** `loading` also while the client is starting (the resource is acquired once it is ready). */
  readonly status: ResourceStatus;
  readonly error: SSSyncError | null;
  readonly lastRefreshAt: number | null;
  /** Fetches now; resolves when done (after the resource is acquired, if it is not yet). */
  refresh(): Promise<void>;
}

type Snapshot = Pick<HeldResource, 'status' | 'error' | 'lastRefreshAt'>;

const LOADING: Snapshot = Object.freeze({ status: 'loading', error: null, lastRefreshAt: null });

/** A stable key for a request, so equal options given anew each render mean the same resource. */
export function resourceKey(request: ResourceRequest): string {
  const r = typeof request === 'string' ? { path: request } : request;
  const params = r.params ? Object.entries(r.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return JSON.stringify([r.path, params, r.temporary ?? false, r.refreshSeconds ?? null]);
}

function resourcePath(request: ResourceRequest): string {
  return typeof request === 'string' ? request : request.path;
}

/**
 * One component's hold on a resource, as a `useSyncExternalStore` source: subscribing acquires it
 * (once the client is ready), unsubscribing releases it.
 */
export class ResourceStore {
  private readonly client: AnySSSync;
  private readonly request: ResourceRequest;
  private snapshot: Snapshot = LOADING;
  private acquired: Promise<ResourceHandle> | undefined;

  constructor(client: AnySSSync, request: ResourceRequest) {
    this.client = client;
    this.request = request;
  }

  readonly getSnapshot = (): Snapshot => this.snapshot;

  readonly getServerSnapshot = (): Snapshot => LOADING;

  readonly subscribe = (onChange: () => void): (() => void) => {
    let cancelled = false;
    let handle: ResourceHandle | undefined;
    let stop: (() => void) | undefined;
    const set = (next: Snapshot) => {
      if (cancelled) return;
      const s = this.snapshot;
      if (s.status === next.status && s.error === next.error && s.lastRefreshAt === next.lastRefreshAt)
        return;
      this.snapshot = next;
      onChange();
    };
    const follow = (h: ResourceHandle) => () =>
      set({ status: h.status, error: h.error, lastRefreshAt: h.lastRefreshAt });
    const acquired = this.client.ready.then(() => {
      if (cancelled)
        throw new SSSyncError('CLOSED', `Resource "${resourcePath(this.request)}" was released.`);
      handle = this.acquire();
      stop = handle.subscribe(follow(handle));
      follow(handle)();
      handle.ready.then(follow(handle), follow(handle));
      return handle;
    });
    acquired.catch((e) => {
      const error = asSSSyncError(e, 'CLOSED', 'The client could not start (see sssync.ready)');
      set({ status: 'error', error, lastRefreshAt: null });
    });
    this.acquired = acquired;
    return () => {
      cancelled = true;
      stop?.();
      handle?.release();
    };
  };

  readonly refresh = async (): Promise<void> => {
    if (!this.acquired) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        'useResource().refresh() was called before its component mounted.',
      );
    }
    return (await this.acquired).refresh();
  };

  private acquire(): ResourceHandle {
    const r = this.request;
    if (typeof r === 'string') return this.client.persist(r);
    const params = r.params ? { params: { ...r.params } } : {};
    if (!r.temporary) return this.client.persist(r.path, params);
    return this.client.temporary(r.path, {
      ...params,
      ...(r.refreshSeconds !== undefined ? { refreshSeconds: r.refreshSeconds } : {}),
    });
  }
}
