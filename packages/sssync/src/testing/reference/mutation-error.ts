/** A mutation's error as the client may see it (§5.3): our codes and messages, never internals. */
import type { MutationError } from '../../protocol/push.js';
import { SSSyncError } from '../../util/errors.js';

const FALLBACK_MESSAGE = 'The mutation failed on the server.';
const RESULT_CODES = new Set(['UNKNOWN_MUTATOR', 'INVALID_ARGUMENT', 'FORBIDDEN', 'MUTATOR_FAILED']);

/**
 * `SSSyncError`s keep their message (the app's or ours); anything else a mutator threw, even wrapped
 * in `MUTATOR_FAILED` by `runMutation`, gets the fallback message: its text may hold internals.
 */
export function mutationError(e: unknown): MutationError {
  const internal =
    !(e instanceof SSSyncError) ||
    (e.code === 'MUTATOR_FAILED' && e.cause !== undefined && !(e.cause instanceof SSSyncError));
  if (internal) return { code: 'MUTATOR_FAILED', message: FALLBACK_MESSAGE };
  const code =
    e.code === 'INVALID_ROW' ? 'INVALID_ARGUMENT' : RESULT_CODES.has(e.code) ? e.code : 'MUTATOR_FAILED';
  const argument = e.details?.argument;
  return code === 'INVALID_ARGUMENT' && typeof argument === 'number'
    ? { code, message: e.message, field: `args[${argument}]` }
    : { code, message: e.message };
}
