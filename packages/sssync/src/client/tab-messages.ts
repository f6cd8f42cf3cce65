/**
 * Messages between the tabs (instances) of one client store, over a BroadcastChannel. The leader
 * writes the store and talks to the server; the others forward their work to it and mirror its commits.
 */
import type { RowId } from '../query/database.js';
import type { Row } from '../query/predicate.js';
import type { ResourceStatus } from '../sync/resources.js';
import type { SyncStatus } from '../sync/status.js';

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown> | undefined;
}

export type TabMessage =
  // follower → leader
  | { readonly t: 'hello'; readonly tab: string }
  | {
      readonly t: 'mutate';
      readonly tab: string;
      readonly req: string;
      readonly name: string;
      readonly args: readonly unknown[];
    }
  | {
      readonly t: 'acquire';
      readonly tab: string;
      readonly req: string;
      readonly path: string;
      readonly temporary: boolean;
      readonly params?: Record<string, string | number> | undefined;
      readonly refreshSeconds?: number | undefined;
    }
  | { readonly t: 'release'; readonly tab: string; readonly req: string }
  | { readonly t: 'refresh'; readonly tab: string; readonly req: string }
  // leader → everyone
  | { readonly t: 'welcome'; readonly to: string }
  | {
      readonly t: 'commit';
      readonly seq: number;
      readonly rows: readonly { table: string; id: RowId; after: Row | null }[];
      readonly pending: number;
    }
  | {
      readonly t: 'mutated';
      readonly req: string;
      readonly id?: number;
      readonly error?: WireError;
      /** The mutation's row changes, for the forwarding tab's undo history. */
      readonly changes?: readonly { table: string; id: RowId; before: Row | null; after: Row | null }[];
    }
  | { readonly t: 'verdict'; readonly id: number; readonly error?: WireError }
  | { readonly t: 'renumber'; readonly map: readonly [number, number][] }
  | { readonly t: 'status'; readonly status: Omit<SyncStatus, 'lastError'> & { lastError: WireError | null } }
  | {
      readonly t: 'resource';
      readonly req: string;
      readonly status: ResourceStatus;
      readonly error: WireError | null;
      readonly lastRefreshAt: number | null;
      readonly refreshed?: boolean;
    };

export interface TabChannel {
  post(message: TabMessage): void;
  close(): void;
}

/** A BroadcastChannel where there is one (browsers, Node ≥ 18), else a channel that reaches no one. */
export function openTabChannel(name: string, onMessage: (m: TabMessage) => void): TabChannel {
  const BC = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  if (!BC) return { post: () => {}, close: () => {} };
  const channel = new BC(name);
  channel.onmessage = (e: MessageEvent) => onMessage(e.data as TabMessage);
  (channel as { unref?: () => void }).unref?.();
  let open = true;
  return {
    post: (m) => {
      if (open) channel.postMessage(m);
    },
    close: () => {
      open = false;
      channel.close();
    },
  };
}

export function toWire(e: unknown): WireError {
  const err = e as { code?: unknown; message?: unknown; details?: unknown };
  return {
    code: typeof err?.code === 'string' ? err.code : 'MUTATOR_FAILED',
    message: typeof err?.message === 'string' ? err.message : String(e),
    details:
      err?.details && typeof err.details === 'object'
        ? structuredClone(err.details as Record<string, unknown>)
        : undefined,
  };
}
