/** The page's entry (bundled by esbuild): the in-browser benchmarks, called by run.ts through Playwright. */
import { b2WarmStart } from '../b2-warm-start.js';
import { b4MutationToScreen } from '../b4-mutation-to-screen.js';
import { b10Persist, written } from '../b10-persist.js';

Object.assign(globalThis, {
  bench: {
    b10: b10Persist,
    b2: b2WarmStart,
    b4: (n: number, rounds: number, ops: number) => b4MutationToScreen(n, rounds, ops, written),
  },
});
