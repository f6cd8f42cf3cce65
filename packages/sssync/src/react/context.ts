import { createContext, createElement, type ReactNode, useContext } from 'react';
import type { SSSync } from '../client/sssync.js';
import { SSSyncError } from '../util/errors.js';

/** Any client, whatever its schema and mutators. */
export type AnySSSync = SSSync<any, any>;

export const SSSyncContext = createContext<AnySSSync | null>(null);

/** Makes `client` the one `useSSSync()`, `useResource()` and `useSyncStatus()` use below it. */
export function SSSyncProvider(props: { client: AnySSSync; children?: ReactNode }): ReactNode {
  return createElement(SSSyncContext.Provider, { value: props.client }, props.children);
}

/** The client of the nearest `SSSyncProvider`; type it with `useSSSync<typeof sssync>()`. */
export function useSSSync<C extends AnySSSync = AnySSSync>(): C {
  const client = useContext(SSSyncContext);
  if (!client) {
    throw new SSSyncError(
      'INVALID_ARGUMENT',
      'useSSSync() found no client: render this component inside <SSSyncProvider client={sssync}>.',
    );
  }
  return client as C;
}
