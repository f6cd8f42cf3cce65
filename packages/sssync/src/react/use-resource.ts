import { useMemo, useSyncExternalStore } from 'react';
import { useSSSync } from './context.js';
import { type HeldResource, type ResourceRequest, ResourceStore, resourceKey } from './resource-store.js';

/**
 * Holds a resource while the component is mounted: acquires it once the client is ready
 * (`sssync.persist`, or `sssync.temporary` with `{ temporary: true }`) and releases it on unmount.
 * Equal requests given anew each render keep the same hold.
 */
export function useResource(request: ResourceRequest): HeldResource {
  const client = useSSSync();
  const key = resourceKey(request);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the request's value, not identity.
  const store = useMemo(() => new ResourceStore(client, request), [client, key]);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
  return useMemo(() => ({ ...snapshot, refresh: store.refresh }), [snapshot, store]);
}
