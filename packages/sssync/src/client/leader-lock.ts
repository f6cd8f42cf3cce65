/**
 * One leader per client store: the instance that writes the store and talks to the server. Browsers
 * elect it with Web Locks (released when a tab closes or crashes); where there are none (Node), an
 * in-process lock per store object does the same for instances in one process.
 */
export interface LeaderLock {
  /** True if this instance leads at once; otherwise false, and `onLeader` runs when it takes over. */
  acquire(onLeader: () => void): Promise<boolean>;
  release(): void;
}

interface WebLocks {
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    cb: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown>;
}

export function leaderLock(name: string, scope: object): LeaderLock {
  const locks = (globalThis as { navigator?: { locks?: WebLocks } }).navigator?.locks;
  return locks ? webLock(locks, name) : localLock(name, scope);
}

function webLock(locks: WebLocks, name: string): LeaderLock {
  let release: (() => void) | undefined;
  const abort = new AbortController();
  const hold = () => new Promise<void>((r) => (release = r));
  return {
    acquire: (onLeader) =>
      new Promise<boolean>((resolve) => {
        void locks.request(name, { ifAvailable: true }, (lock) => {
          if (lock) {
            resolve(true);
            return hold();
          }
          resolve(false);
          locks
            .request(name, { signal: abort.signal }, () => {
              onLeader();
              return hold();
            })
            .catch(() => {});
        });
      }),
    release: () => {
      abort.abort();
      release?.();
    },
  };
}

type Waiter = { onLeader: () => void; cancelled: boolean };
const registry = new WeakMap<object, Map<string, { held: boolean; queue: Waiter[] }>>();

function localLock(name: string, scope: object): LeaderLock {
  let byName = registry.get(scope);
  if (!byName) {
    byName = new Map();
    registry.set(scope, byName);
  }
  const names = byName;
  let waiter: Waiter | undefined;
  let holding = false;
  return {
    acquire: async (onLeader) => {
      let state = names.get(name);
      if (!state) {
        state = { held: false, queue: [] };
        names.set(name, state);
      }
      if (!state.held) {
        state.held = true;
        holding = true;
        return true;
      }
      waiter = {
        onLeader: () => {
          holding = true;
          onLeader();
        },
        cancelled: false,
      };
      state.queue.push(waiter);
      return false;
    },
    release: () => {
      if (waiter) waiter.cancelled = true;
      const state = names.get(name);
      if (!state || !holding) return;
      holding = false;
      state.held = false;
      let next = state.queue.shift();
      while (next?.cancelled) next = state.queue.shift();
      if (next) {
        state.held = true;
        const n = next;
        queueMicrotask(() => n.onLeader());
      }
    },
  };
}

const tokens = new WeakMap<object, string>();

/**
 * The name of the tabs' BroadcastChannel. With Web Locks, tabs of one origin sharing a store name
 * share one channel. Without them (Node), the lock is per store object, so the channel is too:
 * unrelated instances with the same name in one process never hear each other.
 */
export function tabChannelName(name: string, scope: object): string {
  if ((globalThis as { navigator?: { locks?: unknown } }).navigator?.locks) return `sssync:${name}`;
  let token = tokens.get(scope);
  if (!token) {
    token = Math.random().toString(36).slice(2);
    tokens.set(scope, token);
  }
  return `sssync:${name}:${token}`;
}
