import { useSyncExternalStore } from 'react';
import type { SyncStatus } from '../sync/status.js';
import { type AnySSSync, useSSSync } from './context.js';

interface StatusStore {
  getSnapshot(): SyncStatus;
  subscribe(onChange: () => void): () => void;
}

const stores = new WeakMap<AnySSSync, StatusStore>();

/** `sssync.status` builds a new object per read: keep the last one while nothing in it changed. */
function statusStore(client: AnySSSync): StatusStore {
  let store = stores.get(client);
  if (store) return store;
  let last: SyncStatus = client.status;
  store = {
    getSnapshot: () => {
      const next = client.status;
      const keys = Object.keys(next) as (keyof SyncStatus)[];
      if (keys.some((k) => next[k] !== last[k]) || keys.length !== Object.keys(last).length) last = next;
      return last;
    },
    subscribe: (onChange) => {
      let stopped = false;
      // The pending count is read from the store on start-up, which no status event announces.
      client.ready.then(
        () => stopped || onChange(),
        () => {},
      );
      const stop = client.subscribeStatus(onChange);
      return () => {
        stopped = true;
        stop();
      };
    },
  };
  stores.set(client, store);
  return store;
}

/** The client's sync status (`online`, `pending`, `lastSyncAt`, `lastError`…), re-rendering as it changes. */
export function useSyncStatus(): SyncStatus {
  const store = statusStore(useSSSync());
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
