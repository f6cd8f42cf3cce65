/**
 * sssync/react: React bindings, a thin adapter over the client. Owns the provider that hands a
 * client to components and the hooks that follow queries, resources, mutations and sync status
 * through `useSyncExternalStore` (no tearing; re-renders only when what they follow changes). The
 * core never imports React: this entry point is the only one that does.
 */

export { SSSyncProvider, useSSSync } from './context.js';
export type { MutationState } from './mutation-store.js';
export type { QueryState } from './query-store.js';
export type { HeldResource, ResourceRequest } from './resource-store.js';
export { useMutationStatus } from './use-mutation-status.js';
export { type QueryResultOf, useQuery, useQueryState } from './use-query.js';
export { useResource } from './use-resource.js';
export { useSyncStatus } from './use-sync-status.js';
