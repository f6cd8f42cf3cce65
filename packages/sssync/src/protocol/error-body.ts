/** The body of every non-200 answer (PROTOCOL.md, "Errors"): `{ error: { code, message, … } }`. */
import * as v from 'valibot';
import { issuePath } from './field-path.js';
import { notArray, string } from './fields.js';

/** The request-level error codes and the HTTP status each is sent with. Clients switch on the code. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  UNKNOWN_RESOURCE: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  VERSION_MISMATCH: 409,
  MUTATION_ID_GAP: 409,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

const count = (min: number) =>
  v.pipe(
    v.number('must be a number'),
    v.safeInteger('must be an integer'),
    v.minValue(min, `must be ≥ ${min}`),
  );

export const ErrorDetail = notArray(
  v.object(
    {
      code: string(64),
      message: v.string('must be a string'),
      field: v.exactOptional(v.string('must be a string')),
      // TOO_LARGE: the limit that was exceeded (bytes, or a count when `field` names an array).
      limit: v.exactOptional(count(0)),
      // RATE_LIMITED: seconds to wait, as in the Retry-After header.
      retryAfter: v.exactOptional(count(0)),
      // MUTATION_ID_GAP: the server's last applied mutation id of the pushing client.
      lastMutationID: v.exactOptional(count(0)),
      // VERSION_MISMATCH: what the server serves.
      supportedProtocolVersions: v.exactOptional(
        v.pipe(v.array(count(1), 'must be an array'), v.minLength(1, 'must not be empty')),
      ),
      minSchemaVersion: v.exactOptional(count(1)),
      maxSchemaVersion: v.exactOptional(count(1)),
    },
    'must be an object',
  ),
);

/** The fields each code requires besides `code` and `message`. */
const REQUIRED: Readonly<Record<string, readonly (keyof v.InferOutput<typeof ErrorDetail>)[]>> = {
  TOO_LARGE: ['limit'],
  RATE_LIMITED: ['retryAfter'],
  MUTATION_ID_GAP: ['lastMutationID'],
  VERSION_MISMATCH: ['supportedProtocolVersions', 'minSchemaVersion', 'maxSchemaVersion'],
};

export const ErrorBody = v.pipe(
  notArray(v.object({ error: ErrorDetail }, 'must be an object')),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const { error } = dataset.value;
    const missing = (Object.hasOwn(REQUIRED, error.code) ? REQUIRED[error.code] : undefined)?.find(
      (key) => error[key] === undefined,
    );
    if (missing === undefined) return;
    addIssue({
      message: `is missing (a ${error.code} error carries it)`,
      path: issuePath('error', missing),
    });
  }),
);

export type ErrorDetail = v.InferOutput<typeof ErrorDetail>;
export type ErrorBody = v.InferOutput<typeof ErrorBody>;
