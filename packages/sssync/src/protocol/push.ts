/** The push messages (PROTOCOL.md, "Push"): a client's mutations in, one result per mutation out. */
import * as v from 'valibot';
import { issuePath } from './field-path.js';
import {
  ClientID,
  LastMutationIDs,
  MutationID,
  notArray,
  ProtocolVersion,
  SchemaVersion,
  string,
  Timestamp,
} from './fields.js';
import { findJSONProblem, type JSONValue } from './json.js';
import { PROTOCOL_LIMITS } from './limits.js';

/** A mutation's positional arguments: a JSON array nested at most 32 levels deep. */
export const MutationArgs = v.pipe(
  v.custom<readonly JSONValue[]>(Array.isArray, 'must be an array'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = findJSONProblem(dataset.value, PROTOCOL_LIMITS.maxArgsDepth);
    if (problem === undefined) return;
    const [first, ...rest] = problem.path;
    addIssue({
      message: problem.message,
      ...(first === undefined ? {} : { path: issuePath(first, ...rest) }),
    });
  }),
);

export const Mutation = notArray(
  v.object(
    {
      id: MutationID,
      name: string(PROTOCOL_LIMITS.maxMutatorNameLength),
      args: MutationArgs,
      timestamp: Timestamp,
    },
    'must be an object',
  ),
);

/** Checks that the items' ids go up by exactly one (a push's mutations, a response's results). */
const consecutiveIds = <T extends { readonly id: number }>() =>
  v.rawCheck<T[]>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const items = dataset.value;
    const first = items[0]?.id ?? 0;
    const at = items.findIndex((item, i) => item.id !== first + i);
    if (at < 0) return;
    addIssue({
      message: `must be ${first + at}: ids go up by exactly one (the first is ${first})`,
      path: issuePath(at, 'id'),
    });
  });

export const PushRequest = notArray(
  v.object(
    {
      protocolVersion: ProtocolVersion,
      schemaVersion: SchemaVersion,
      clientGroupID: ClientID,
      clientID: ClientID,
      mutations: v.pipe(v.array(Mutation, 'must be an array'), consecutiveIds()),
    },
    'must be an object',
  ),
);

export const MutationError = notArray(
  v.object(
    {
      code: string(64),
      message: v.string('must be a string'),
      field: v.exactOptional(v.string('must be a string')),
    },
    'must be an object',
  ),
);

const MutationOk = v.object({
  id: MutationID,
  ok: v.literal(true),
  /** The mutation was processed by an earlier push; its outcome is not reported again. */
  duplicate: v.exactOptional(v.literal(true, 'must be true when present')),
});

const MutationRejected = v.object({ id: MutationID, ok: v.literal(false), error: MutationError });

export const MutationResult = notArray(
  v.variant('ok', [MutationOk, MutationRejected], (issue) =>
    issue.path === undefined ? 'must be an object' : 'must be true or false',
  ),
);

export const PushResponse = notArray(
  v.object(
    {
      protocolVersion: ProtocolVersion,
      results: v.pipe(v.array(MutationResult, 'must be an array'), consecutiveIds()),
      lastMutationIDs: LastMutationIDs,
    },
    'must be an object',
  ),
);

export type Mutation = v.InferOutput<typeof Mutation>;
export type PushRequest = v.InferOutput<typeof PushRequest>;
export type MutationError = v.InferOutput<typeof MutationError>;
export type MutationResult = v.InferOutput<typeof MutationResult>;
export type PushResponse = v.InferOutput<typeof PushResponse>;
