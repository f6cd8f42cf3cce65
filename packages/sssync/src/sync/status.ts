import type { SSSyncError } from '../util/errors.js';

/** What sync is doing, for the app's UI and the devtools. */
export interface SyncStatus {
  /** False after a request failed to reach the server (or the browser says it is offline). */
  readonly online: boolean;
  readonly pushing: boolean;
  readonly pulling: boolean;
  /** Mutations applied locally and not yet applied by the server (as far as this client knows). */
  readonly pending: number;
  /** When the last push or pull succeeded (ms since the epoch). */
  readonly lastSyncAt: number | null;
  readonly lastError: SSSyncError | null;
  /** The server no longer serves this protocol or schema version: sync has stopped. */
  readonly updateNeeded: boolean;
  /** The client holds a version mismatch and is not syncing; or `stop()` was called. */
  readonly stopped: boolean;
}

export const initialStatus: SyncStatus = {
  online: true,
  pushing: false,
  pulling: false,
  pending: 0,
  lastSyncAt: null,
  lastError: null,
  updateNeeded: false,
  stopped: false,
};

/** A tiny observable value: `get()`, `set(patch)`, `subscribe(cb)`; listeners hear only real changes. */
export class StatusCell {
  private value: SyncStatus = initialStatus;
  private readonly listeners = new Set<(s: SyncStatus) => void>();

  get(): SyncStatus {
    return this.value;
  }

  set(patch: Partial<SyncStatus>): void {
    const next = { ...this.value, ...patch };
    if (Object.keys(next).every((k) => next[k as keyof SyncStatus] === this.value[k as keyof SyncStatus]))
      return;
    this.value = Object.freeze(next);
    for (const l of [...this.listeners]) l(this.value);
  }

  subscribe(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
