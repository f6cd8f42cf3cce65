/**
 * What a client checks when a mutation is created, so that it never queues one the server must refuse
 * with a 400 — a 400 on a push would hold up every mutation behind it.
 */
import { SSSyncError } from '../util/errors.js';
import { formatFieldPath } from './field-path.js';
import { findJSONProblem, type JSONValue } from './json.js';
import { PROTOCOL_LIMITS } from './limits.js';

/**
 * Throws `INVALID_ARGUMENT` (`details.field`, e.g. `args[1].when`) unless `args` is a JSON array nested
 * at most 32 levels deep whose JSON encoding is at most 256 KiB.
 */
export function checkMutationArgs(
  name: string,
  args: readonly unknown[],
): asserts args is readonly JSONValue[] {
  const problem = findJSONProblem(args, PROTOCOL_LIMITS.maxArgsDepth);
  if (problem !== undefined) {
    const field = formatFieldPath(['args', ...problem.path]);
    throw new SSSyncError('INVALID_ARGUMENT', `Mutator "${name}": ${field} ${problem.message}.`, {
      details: { field },
    });
  }
  const bytes = new TextEncoder().encode(JSON.stringify(args)).byteLength;
  if (bytes > PROTOCOL_LIMITS.maxArgsBytes) {
    throw new SSSyncError(
      'INVALID_ARGUMENT',
      `Mutator "${name}": its args take ${bytes} bytes as JSON; the limit is ${PROTOCOL_LIMITS.maxArgsBytes}. ` +
        'Store large data elsewhere and pass a reference.',
      { details: { field: 'args', limit: PROTOCOL_LIMITS.maxArgsBytes } },
    );
  }
}

/**
 * Whether a mutator may bear this name: 1 to 128 characters, and not a name that reaches an inherited
 * property when looked up in a plain object (`__proto__`, `constructor`, `toString`…) nor `prototype`.
 * `defineMutators` refuses other names; a server answers them with `UNKNOWN_MUTATOR` (it looks
 * mutators up as own keys only).
 */
export function mutatorNameIsSafe(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= PROTOCOL_LIMITS.maxMutatorNameLength &&
    name !== 'prototype' &&
    !(name in Object.prototype)
  );
}
