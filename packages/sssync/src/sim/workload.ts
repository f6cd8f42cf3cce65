/** The random work a simulated client does: mutations of a small shared set of items. */
import type { SimMutatorName } from './app.js';
import type { Prng } from './prng.js';

export const USERS = ['user-a', 'user-b'] as const;
const ITEMS = ['i0', 'i1', 'i2', 'i3', 'i4'] as const;

export interface PlannedMutation {
  readonly name: SimMutatorName;
  /** The arguments after the tag. */
  readonly args: readonly unknown[];
}

/**
 * One mutation by `user`. Items are shared between users, so some are refused by the server
 * (`FORBIDDEN`: another user's item; `MUTATOR_FAILED`: no such item, or `fail`), and `give`/`share`
 * move items in and out of other users' resources.
 */
export function randomMutation(rng: Prng, user: string): PlannedMutation {
  const id = rng.pick(ITEMS);
  const other = USERS.find((u) => u !== user)!;
  switch (rng.weighted({ put: 30, inc: 25, del: 8, fail: 5, give: 12, share: 20 })) {
    case 'put':
      return { name: 'put', args: [id, `t${rng.int(100)}`, rng.int(10), rng.chance(0.9) ? user : other] };
    case 'inc':
      return { name: 'inc', args: [id, 1 + rng.int(5)] };
    case 'del':
      return { name: 'del', args: [id] };
    case 'fail':
      return { name: 'fail', args: [id] };
    case 'give':
      return { name: 'give', args: [id, other] };
    default:
      return { name: 'share', args: [id, rng.chance(0.7) ? other : null] };
  }
}
