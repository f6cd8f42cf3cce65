/**
 * What must hold in every run, checked after every step and at the end. The ledger records every
 * mutation by its tag: created (committed to the outbox or not), processed by the server (seen in the
 * push answers the server gave, whether or not the client heard them), told to the app, retired from
 * the outbox. Each check throws a `Violation` naming the invariant.
 */
export class Violation extends Error {
  override readonly name = 'Violation';
}

export interface Processed {
  readonly tag: string;
  readonly ok: boolean;
  /** When (as a count of processed mutations) it happened, to cut the log back on a restore. */
  readonly at: number;
}

export interface TagInfo {
  readonly client: number;
  /** Creation order within the simulated client (which keeps it across restarts). */
  readonly n: number;
  /** The client's store generation: an evicted store's requests still in flight may land later. */
  readonly era: number;
  committed?: boolean;
  failedLocally?: boolean;
  /** Lost by design: its outbox was evicted, or the server's restore lost it after it left the outbox. */
  exempt?: string;
  toldConfirmed?: boolean;
  toldRejected?: boolean;
}

export class Ledger {
  readonly tags = new Map<string, TagInfo>();
  /** What the server processed, in order (the current timeline only, after a restore). */
  processed: Processed[] = [];

  created(tag: string, client: number, n: number, era: number): TagInfo {
    const info: TagInfo = { client, n, era };
    this.tags.set(tag, info);
    return info;
  }

  /** The server ran `tag` (not as a duplicate). */
  serverProcessed(tag: string, ok: boolean): void {
    const info = this.tags.get(tag);
    if (!info) throw new Violation(`the server processed "${tag}", which no client created`);
    if (info.failedLocally) {
      throw new Violation(
        `the server processed ${tag}, whose local commit failed (it was never acknowledged)`,
      );
    }
    const before = this.processed.filter((p) => p.tag === tag);
    if (before.length > 0) throw new Violation(`mutation ${tag} was processed twice by the server`);
    const last = [...this.processed].reverse().find((p) => {
      const other = this.tags.get(p.tag);
      return other?.client === info.client && other.era === info.era;
    });
    if (last && this.tags.get(last.tag)!.n > info.n) {
      throw new Violation(`client ${info.client}'s mutations applied out of order: ${tag} after ${last.tag}`);
    }
    this.processed.push({ tag, ok, at: this.processed.length });
  }

  processedOnce(tag: string): Processed | undefined {
    return this.processed.find((p) => p.tag === tag);
  }

  /** The app heard that `tag` is confirmed or rejected: it must match what the server did. */
  told(tag: string, verdict: 'confirmed' | 'rejected'): void {
    const info = this.tags.get(tag);
    if (!info) return;
    const p = this.processedOnce(tag);
    if (verdict === 'rejected') {
      info.toldRejected = true;
      if (p?.ok) throw new Violation(`${tag} was reported rejected, but the server applied it`);
    } else {
      info.toldConfirmed = true;
      if (!p && !info.exempt)
        throw new Violation(`${tag} was reported confirmed, but the server never processed it`);
    }
  }

  /** The end: every acknowledged mutation was processed exactly once (unless lost by design). */
  checkNothingLost(): void {
    for (const [tag, info] of this.tags) {
      if (!info.committed || info.exempt) continue;
      if (!this.processedOnce(tag))
        throw new Violation(`mutation ${tag} was acknowledged locally but is lost`);
    }
  }
}

/** Monotonic values (a client's lastMutationID on the server or as its client heard it). */
export class NeverBackwards {
  private readonly seen = new Map<string, number>();

  check(what: string, key: string, value: number): void {
    const before = this.seen.get(key);
    if (before !== undefined && value < before) {
      throw new Violation(`${what} moved backwards for ${key}: ${before} → ${value}`);
    }
    this.seen.set(key, value);
  }

  /** After a restore the server legitimately went back: start over. */
  reset(): void {
    this.seen.clear();
  }
}

export function sameRows(what: string, actual: readonly unknown[], expected: readonly unknown[]): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Violation(`${what}:\n  has      ${a}\n  expected ${e}`);
}
