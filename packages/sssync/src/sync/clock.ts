/**
 * The clock the sync engine schedules by: monotonic time, timers and the jitter of its backoff. The
 * default is the system's; a simulator passes a virtual one, so that a run is fast and replays exactly.
 */
export interface SyncClock {
  /** Monotonic milliseconds (never the wall clock: a user fixing the date must not stall sync). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** A number in [0, 1), for backoff jitter. */
  random(): number;
}

export const systemClock: SyncClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending retry or refresh must not keep a Node process alive.
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};
