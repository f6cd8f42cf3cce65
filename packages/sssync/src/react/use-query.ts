import { useContext, useMemo, useSyncExternalStore } from 'react';
import type { Query } from '../query/query.js';
import { SSSyncContext } from './context.js';
import { queryKey } from './query-key.js';
import { type QueryState, QueryStore } from './query-store.js';

/** What a query gives: its rows, or for `one()` a row or `undefined`. */
export type QueryResultOf<Q> =
  Q extends Query<any, any, infer R, infer Single>
    ? Single extends true
      ? R | undefined
      : readonly R[]
    : never;

type AnyQuery = Query<any, any, any, boolean>;

/**
 * The live result of `query`: `readonly Row[]`, or `Row | undefined` for `one()`. Empty (or
 * `undefined`) until the client is ready; use `useQueryState` to tell "loading" from "no rows".
 * Re-renders only when the result changes.
 */
export function useQuery<Q extends AnyQuery>(query: Q): QueryResultOf<Q> {
  return useQueryState(query).data;
}

/** The live result of `query` with its status: `{ data, status: 'loading' | 'ready' }`. */
export function useQueryState<Q extends AnyQuery>(query: Q): QueryState<QueryResultOf<Q>> {
  // A new query object per render is the norm; only a different query (or client) resubscribes.
  const key = queryKey(query.ast);
  const client = useContext(SSSyncContext);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the query's value, not identity.
  const store = useMemo(() => new QueryStore<QueryResultOf<Q>>(query), [key, client]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
}
