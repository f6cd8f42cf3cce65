/**
 * protocol/: the v1 wire protocol between client and server (PROTOCOL.md is its spec) — the message
 * schemas, the types inferred from them, the limits, and the parse functions both ends run on every
 * message they receive. It knows nothing of HTTP, stores or databases.
 */
export { ERROR_STATUS, ErrorBody, type ErrorCode, type ErrorDetail } from './error-body.js';
export type { JSONValue } from './json.js';
export { PROTOCOL_LIMITS, PROTOCOL_VERSION, type RequestLimits } from './limits.js';
export { checkMutationArgs, mutatorNameIsSafe } from './mutation-input.js';
export {
  parseErrorBody,
  parsePullRequest,
  parsePullResponse,
  parsePushRequest,
  parsePushResponse,
} from './parse.js';
export {
  PatchOp,
  PullRequest,
  PullResponse,
  type ResourcePatch,
  type ResourceRequest,
  type Row,
  type RowID,
} from './pull.js';
export { type Mutation, type MutationError, MutationResult, PushRequest, PushResponse } from './push.js';
export { decodeResourcePath } from './resource-path.js';
