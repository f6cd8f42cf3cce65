import { useSyncExternalStore } from 'react';
import type { MutationResult } from '../client/mutation-tracker.js';
import { type MutationState, mutationStore } from './mutation-store.js';

const NONE = { getSnapshot: () => undefined, subscribe: () => () => {} };

/**
 * Follows a mutation (what `sssync.execute.x(...)` returned) as it goes `pending` → `confirmed` or
 * `rejected`; `undefined` for no mutation, so a component can keep its last one in state.
 */
export function useMutationStatus(result: MutationResult | null | undefined): MutationState | undefined {
  const store = result ? mutationStore(result) : NONE;
  return useSyncExternalStore<MutationState | undefined>(
    store.subscribe,
    store.getSnapshot,
    store.getSnapshot,
  );
}
