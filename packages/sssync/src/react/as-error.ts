import { isSSSyncError, SSSyncError, type SSSyncErrorCode } from '../util/errors.js';

/** Errors reach the hooks as `SSSyncError`s; anything else is wrapped (kept as its `cause`). */
export function asSSSyncError(e: unknown, code: SSSyncErrorCode, context: string): SSSyncError {
  if (isSSSyncError(e)) return e;
  return new SSSyncError(code, `${context}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
