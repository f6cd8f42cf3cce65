import type { ResourceHandle, ResourceStatus } from '../sync/resources.js';
import { deferred } from '../sync/resources.js';
import { SSSyncError } from '../util/errors.js';
import type { WireError } from './tab-messages.js';

/**
 * A resource handle in a follower tab: the leader holds the resource on its behalf and reports its
 * state; if this tab becomes the leader, the handle attaches to a real one.
 */
export class FollowerResource implements ResourceHandle {
  readonly path: string;
  readonly temporary: boolean;
  readonly req: string;
  readonly params: Record<string, string | number> | undefined;
  readonly refreshSeconds: number | undefined;
  private readonly readyD = deferred();
  private state: { status: ResourceStatus; error: SSSyncError | null; lastRefreshAt: number | null } = {
    status: 'loading',
    error: null,
    lastRefreshAt: null,
  };
  private real: ResourceHandle | undefined;
  private released = false;
  private readonly refreshes: ReturnType<typeof deferred>[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly send: (m: 'release' | 'refresh') => void;

  constructor(init: {
    path: string;
    temporary: boolean;
    req: string;
    params: Record<string, string | number> | undefined;
    refreshSeconds: number | undefined;
    send: (m: 'release' | 'refresh') => void;
  }) {
    this.path = init.path;
    this.temporary = init.temporary;
    this.req = init.req;
    this.params = init.params;
    this.refreshSeconds = init.refreshSeconds;
    this.send = init.send;
  }

  get ready(): Promise<void> {
    return this.readyD.promise;
  }
  get status(): ResourceStatus {
    if (this.released) return 'released';
    return this.real ? this.real.status : this.state.status;
  }
  get error(): SSSyncError | null {
    return this.real ? this.real.error : this.state.error;
  }
  get lastRefreshAt(): number | null {
    return this.real ? this.real.lastRefreshAt : this.state.lastRefreshAt;
  }
  get isReleased(): boolean {
    return this.released;
  }

  /** A report from the leader. */
  update(
    status: ResourceStatus,
    error: WireError | null,
    lastRefreshAt: number | null,
    refreshed: boolean,
  ): void {
    const err = error
      ? new SSSyncError(
          error.code as never,
          error.message,
          error.details ? { details: error.details } : undefined,
        )
      : null;
    this.state = { status, error: err, lastRefreshAt };
    if (status === 'ready') this.readyD.resolve();
    else if (status === 'error' && err) this.readyD.reject(err);
    if (refreshed) for (const r of this.refreshes.splice(0)) r.resolve();
    else if (err) for (const r of this.refreshes.splice(0)) r.reject(err);
    this.emit();
  }

  /** This tab became the leader: from now on, a real handle answers. */
  attach(real: ResourceHandle): void {
    this.real = real;
    real.ready.then(
      () => this.readyD.resolve(),
      (e) => this.readyD.reject(e),
    );
    real.subscribe(() => this.emit());
    for (const r of this.refreshes.splice(0)) real.refresh().then(r.resolve, r.reject);
  }

  refresh(): Promise<void> {
    if (this.released)
      return Promise.reject(new SSSyncError('CLOSED', `Resource "${this.path}" was released.`));
    if (this.real) return this.real.refresh();
    const d = deferred();
    this.refreshes.push(d);
    this.send('refresh');
    return d.promise;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.real) this.real.release();
    else this.send('release');
    this.emit();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
