/** What a conformance check is, what it reports, and how it fails. */
import type { TestRun } from './test-run.js';

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed (empty when it passed). */
  readonly detail: string;
}

/** One named check: it throws `CheckFailed` (or anything) to fail, and uses fresh ids of its own. */
export interface Check {
  readonly name: string;
  readonly run: (t: TestRun) => Promise<void>;
}

export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

export function fail(detail: string): never {
  throw new CheckFailed(detail);
}

export function check(condition: unknown, detail: string | (() => string)): asserts condition {
  if (!condition) fail(typeof detail === 'string' ? detail : detail());
}

/** `JSON.stringify` for details, cut short so one line stays readable. */
export function show(value: unknown, max = 160): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
