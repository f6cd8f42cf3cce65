/**
 * Schemas of the fields several messages share: versions, client identities, mutation ids, resource
 * paths, cursors. Each issue message is a predicate that reads after the field's path, as the parse
 * functions print it: "mutations[2].id" + " must be an integer ≥ 1".
 */
import * as v from 'valibot';
import { issuePath } from './field-path.js';
import { PROTOCOL_LIMITS, PROTOCOL_VERSION } from './limits.js';
import { resourcePathProblem } from './resource-path.js';

const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export const string = (max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.minLength(1, 'must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
  );

const integer = (min: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer('must be an integer'),
    v.minValue(min, `must be an integer ≥ ${min}`),
    v.maxValue(Number.MAX_SAFE_INTEGER, 'must be at most 2^53 - 1'),
  );

export const ProtocolVersion = v.literal(PROTOCOL_VERSION, `must be ${PROTOCOL_VERSION}`);
export const SchemaVersion = integer(1);

/** A `clientID` or `clientGroupID`: 1 to 64 characters of `[A-Za-z0-9_-]`. */
export const ClientID = v.pipe(
  string(PROTOCOL_LIMITS.maxIDLength),
  v.regex(ID_PATTERN, 'must hold only the characters A-Z a-z 0-9 _ -'),
);

/** A mutation id: 1, 2, 3… per client. */
export const MutationID = integer(1);
/** A client's last applied mutation id: 0 before its first mutation. */
export const LastMutationID = integer(0);
/** A client's clock in ms since the Unix epoch; informational only. */
export const Timestamp = integer(0);

/**
 * `{ [clientID]: lastMutationID }`. The output has no prototype, so `ids[clientID]` is a number or
 * `undefined` for every id, `constructor` and `__proto__` included (valid ids, if unlikely ones).
 */
export const LastMutationIDs = v.pipe(
  v.custom<Record<string, unknown>>(isPlainObject, 'must be an object'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const out: Record<string, number> = Object.create(null);
    for (const key of Object.keys(dataset.value)) {
      const value = dataset.value[key];
      const keyOk = v.is(ClientID, key);
      if (!keyOk || !v.is(LastMutationID, value)) {
        addIssue({
          message: keyOk ? 'must be an integer ≥ 0' : 'must be keyed by client ids (A-Z a-z 0-9 _ -, ≤ 64)',
          path: issuePath(key),
        });
        return NEVER;
      }
      out[key] = value;
    }
    return out;
  }),
);

export const ResourcePath = v.pipe(
  v.string('must be a string'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = resourcePathProblem(dataset.value);
    if (problem !== undefined) addIssue({ message: problem });
  }),
);

/** A cursor the server returned: opaque to the client, at most 1024 characters. */
export const Cursor = string(PROTOCOL_LIMITS.maxCursorLength);

/**
 * Valibot takes an array for an object that lacks every field; the protocol calls it "not an object".
 * Wraps an object or variant schema so that an array gets that message at the array's own path.
 */
export const notArray = <S extends v.GenericSchema>(schema: S) =>
  v.pipe(
    v.custom<v.InferInput<S>>((value) => !Array.isArray(value), 'must be an object'),
    schema,
  );

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
