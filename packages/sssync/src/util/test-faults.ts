/**
 * TEST-ONLY deliberate bugs, for proving that the simulator (src/sim/) can fail. Production code reads
 * these switches at exactly three points and nowhere else; all are off unless a test turns one on (and
 * back off). Nothing outside src/sim/ may set them, and no app should ever import this module.
 *
 * - `serverSkipsExactlyOnce` (server/push.ts): a pushed mutation the server already processed is run
 *   again instead of being acknowledged as a duplicate (PROTOCOL.md §5.2).
 * - `clientIgnoresLastMutationIDs` (sync/sync-engine.ts, pull): the client applies a pull's patches
 *   without its `lastMutationIDs`, so applied mutations stay queued and are replayed on top (§6.6).
 * - `clientDropsOnRebase` (replica/replica.ts, rebase): a rebase loses the last pending mutation.
 */
export const __faults = {
  serverSkipsExactlyOnce: false,
  clientIgnoresLastMutationIDs: false,
  clientDropsOnRebase: false,
};

export type TestFault = keyof typeof __faults;
