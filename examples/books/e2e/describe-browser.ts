/**
 * Without a browser the Chromium tests are skipped with a one-line reason — except under CI=true,
 * where they are required and a missing browser fails the run.
 */
import { describe } from 'vitest';
import { CHROMIUM, hasChromium } from './browser.js';

if (!hasChromium && process.env.CI === 'true') {
  throw new Error(
    `CI=true and there is no Chromium at ${CHROMIUM}: the browser tests are required in CI. Install chromium or set CHROMIUM_PATH.`,
  );
}

/** `describe`, or a skipped `describe` whose name (and one printed line) says why. */
export function describeBrowser(name: string, fn: () => void): void {
  if (hasChromium) {
    describe(name, fn);
    return;
  }
  const reason = `skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH; CI=true makes it required)`;
  console.warn(`${name} — ${reason}`);
  describe.skip(`${name} — ${reason}`, fn);
}
