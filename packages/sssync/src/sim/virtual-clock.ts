import type { SyncClock } from '../sync/clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * Virtual time for a simulation: `now()` moves only when the simulator advances it, and timers fire
 * only when it fires them, in (time, creation) order. Jitter comes from the run's seeded PRNG.
 */
export class VirtualClock implements SyncClock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();
  readonly random: () => number;

  constructor(random: () => number) {
    this.random = random;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** When the next timer is due, if any. */
  nextAt(): number | undefined {
    let at: number | undefined;
    for (const t of this.timers.values()) if (at === undefined || t.at < at) at = t.at;
    return at;
  }

  /** Moves time forward (never back) to `at`. */
  advanceTo(at: number): void {
    this.time = Math.max(this.time, at);
  }

  /** Removes and returns the earliest timer due by now, to be run by the caller. */
  takeDue(): (() => void) | undefined {
    let due: Timer | undefined;
    for (const t of this.timers.values()) {
      if (t.at <= this.time && (!due || t.at < due.at || (t.at === due.at && t.seq < due.seq))) due = t;
    }
    if (!due) return undefined;
    this.timers.delete(due.seq);
    return due.fn;
  }
}
