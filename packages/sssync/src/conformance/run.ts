/** Runs every check in order against one server and reports each as it ends. */
import { errorMessage } from '../util/errors.js';
import { type Check, CheckFailed, type CheckResult } from './check.js';
import { authChecks } from './checks/auth.js';
import { concurrencyChecks } from './checks/concurrency.js';
import { consistencyChecks } from './checks/consistency.js';
import { errorBodiesCheck } from './checks/error-bodies.js';
import { exactlyOnceChecks } from './checks/exactly-once.js';
import { limitChecks } from './checks/limits.js';
import { malformedChecks } from './checks/malformed.js';
import { mutationChecks } from './checks/mutations.js';
import { pullChecks } from './checks/pull.js';
import { okHeadersCheck, transportChecks } from './checks/transport.js';
import { versionChecks } from './checks/versions.js';
import { type FetchFn, TestRun } from './test-run.js';

export interface ConformanceOptions {
  /** The server's base URL (`<url>/push`, `<url>/pull`), running in test mode (PROTOCOL.md §11). */
  readonly url: string;
  /** Sent with every request (say, a gateway's key); the suite sets `Authorization` itself. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default: the global `fetch`. */
  readonly fetch?: FetchFn;
  /** Called as each check ends, in order. */
  readonly onResult?: (result: CheckResult) => void;
}

/** Every check, in the order they run; the last two inspect the answers of all the others. */
const CHECKS: readonly Check[] = [
  ...versionChecks,
  ...malformedChecks,
  ...limitChecks,
  ...transportChecks,
  ...authChecks,
  ...exactlyOnceChecks,
  ...mutationChecks,
  ...pullChecks,
  ...consistencyChecks,
  ...concurrencyChecks,
  errorBodiesCheck,
  okHeadersCheck,
];

/**
 * Checks the server at `url` against PROTOCOL.md from the outside, over HTTP. Each check uses fresh
 * users, groups, clients and items, so the server needs no reset and runs may share it.
 */
export async function runConformance(options: ConformanceOptions): Promise<CheckResult[]> {
  const fetchFn = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const t = new TestRun(options.url, fetchFn, options.headers ?? {});
  const results: CheckResult[] = [];
  for (const { name, run } of CHECKS) {
    let result: CheckResult;
    try {
      await run(t);
      result = { name, ok: true, detail: '' };
    } catch (e) {
      result = {
        name,
        ok: false,
        detail: e instanceof CheckFailed ? e.message : `error: ${errorMessage(e)}`,
      };
    }
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}
