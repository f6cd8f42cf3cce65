import type { MutationResult } from '../client/mutation-tracker.js';
import type { SSSyncError } from '../util/errors.js';
import { asSSSyncError } from './as-error.js';

/** What `useMutationStatus` returns. */
export interface MutationState {
  /** `applying` → `pending` (applied locally, queued) → `confirmed` | `rejected`; `failed` if it never ran. */
  readonly status: MutationResult['status'];
  /** Why it was rejected (or failed); `null` otherwise. */
  readonly error: SSSyncError | null;
}

interface MutationStore {
  getSnapshot(): MutationState;
  subscribe(onChange: () => void): () => void;
}

/** One store per mutation, shared by every component that follows it. */
const stores = new WeakMap<MutationResult, MutationStore>();

/** A `MutationResult` as a `useSyncExternalStore` source; it changes as the mutation settles. */
export function mutationStore(result: MutationResult): MutationStore {
  let store = stores.get(result);
  if (store) return store;
  let state: MutationState = { status: result.status, error: null };
  const listeners = new Set<() => void>();
  const update = (e?: unknown) => {
    const error = e === undefined ? state.error : asSSSyncError(e, 'MUTATOR_FAILED', 'The mutation failed');
    if (state.status === result.status && state.error === error) return;
    state = { status: result.status, error };
    for (const l of [...listeners]) l();
  };
  // Both promises settle after `status` moved on, so reading it then sees the new value.
  result.then(() => update(), update);
  result.confirmed.then(() => update(), update);
  store = {
    getSnapshot: () => state,
    subscribe: (onChange) => {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
  stores.set(result, store);
  return store;
}
