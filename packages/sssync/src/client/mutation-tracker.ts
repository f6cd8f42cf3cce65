import type { SSSyncError } from '../util/errors.js';

export type MutationStatus = 'pending' | 'confirmed' | 'rejected';

/** What `execute.<name>(...)` returns: resolves once applied locally and durably queued. */
export interface MutationResult extends Promise<void> {
  /** Resolves when the server has applied the mutation; rejects with its reason if it refused it. */
  readonly confirmed: Promise<void>;
  /** `applying` until stored locally, then `pending`, `confirmed` or `rejected`; `failed` if it never ran. */
  readonly status: MutationStatus | 'applying' | 'failed';
  /** The mutation's id, once it is stored. */
  readonly id: number | undefined;
}

interface Tracked {
  status: MutationStatus;
  resolve(): void;
  reject(e: unknown): void;
}

/** Follows each mutation from local apply to the server's verdict, by id (ids can be renumbered). */
export class MutationTracker {
  private readonly byID = new Map<number, Tracked>();
  /** Recent verdicts, for `mutationStatus(id)` after the fact (bounded). */
  private readonly settled = new Map<number, MutationStatus>();

  track(apply: () => Promise<number>): MutationResult {
    let state: MutationResult['status'] = 'applying';
    let id: number | undefined;
    let settle!: Tracked;
    const confirmed = new Promise<void>((resolve, reject) => {
      settle = {
        status: 'pending',
        resolve: () => {
          state = 'confirmed';
          settle.status = 'confirmed';
          resolve();
        },
        reject: (e) => {
          state = 'rejected';
          settle.status = 'rejected';
          reject(e);
        },
      };
    });
    confirmed.catch(() => {});
    const applied = apply().then(
      (mid) => {
        id = mid;
        if (state === 'applying') state = 'pending';
        this.byID.set(mid, settle);
      },
      (e) => {
        state = 'failed';
        settle.reject(e);
        state = 'failed';
        throw e;
      },
    );
    const result = applied as MutationResult;
    Object.defineProperties(result, {
      confirmed: { value: confirmed },
      status: { get: () => state },
      id: { get: () => id },
    });
    return result;
  }

  confirm(id: number): void {
    const t = this.byID.get(id);
    this.remember(id, 'confirmed');
    if (!t) return;
    this.byID.delete(id);
    t.resolve();
  }

  reject(id: number, error: SSSyncError): void {
    const t = this.byID.get(id);
    this.remember(id, 'rejected');
    if (!t) return;
    this.byID.delete(id);
    t.reject(error);
  }

  renumber(map: ReadonlyMap<number, number>): void {
    if (map.size === 0) return;
    const moved = [...map].map(([from, to]) => [to, this.byID.get(from)] as const);
    for (const from of map.keys()) this.byID.delete(from);
    for (const [to, t] of moved) if (t) this.byID.set(to, t);
  }

  status(id: number): MutationStatus | undefined {
    return this.byID.get(id)?.status ?? this.settled.get(id);
  }

  private remember(id: number, status: MutationStatus): void {
    this.settled.delete(id);
    this.settled.set(id, status);
    if (this.settled.size > 1000) this.settled.delete(this.settled.keys().next().value!);
  }
}
