/**
 * The parse functions both ends call on a message: the typed value, or an `SSSyncError` whose
 * `details.field` is the JSON path of the first offending field (PROTOCOL.md's `error.field`).
 * Unknown fields are dropped, not rejected, so a v1 reader accepts what a later v1 writer adds.
 */
import * as v from 'valibot';
import { SSSyncError } from '../util/errors.js';
import { ErrorBody } from './error-body.js';
import { formatFieldPath } from './field-path.js';
import { isPlainObject } from './fields.js';
import { PROTOCOL_LIMITS, PROTOCOL_VERSION, type RequestLimits } from './limits.js';
import { PullRequest, PullResponse } from './pull.js';
import { PushRequest, PushResponse } from './push.js';

/**
 * Parses a push request. Throws `VERSION_MISMATCH` (answer 409) when `protocolVersion` is an integer
 * other than 1, `TOO_LARGE` (413, `details.limit`) past `limits.maxMutationsPerPush`, and `PROTOCOL`
 * (400) for anything else. The schema version's range is the server's to check.
 */
export function parsePushRequest(json: unknown, limits: RequestLimits = PROTOCOL_LIMITS): PushRequest {
  checkRequestVersion(json, 'push request');
  checkCount(json, 'mutations', limits.maxMutationsPerPush);
  return parseWith(PushRequest, json, 'push request');
}

/** Parses a pull request; throws as `parsePushRequest` does, with `limits.maxResourcesPerPull`. */
export function parsePullRequest(json: unknown, limits: RequestLimits = PROTOCOL_LIMITS): PullRequest {
  checkRequestVersion(json, 'pull request');
  checkCount(json, 'resources', limits.maxResourcesPerPull);
  return parseWith(PullRequest, json, 'pull request');
}

/**
 * Parses a push response. Given the request, also checks it answers that request: one result per
 * mutation with the same ids, and `lastMutationIDs` covering the pushing client.
 */
export function parsePushResponse(json: unknown, request?: PushRequest): PushResponse {
  const response = parseWith(PushResponse, json, 'push response');
  if (request === undefined) return response;
  const { mutations, clientID } = request;
  if (response.results.length !== mutations.length) {
    fail(
      'push response',
      'results',
      `has ${response.results.length} entries for ${mutations.length} mutations`,
    );
  }
  const at = response.results.findIndex((result, i) => result.id !== mutations[i]?.id);
  if (at >= 0) fail('push response', `results[${at}].id`, `must be ${mutations[at]?.id}, the mutation's id`);
  const last = response.lastMutationIDs[clientID];
  const lastSent = mutations.at(-1)?.id ?? 0;
  if (last === undefined || last < lastSent) {
    fail('push response', formatFieldPath(['lastMutationIDs', clientID]), `must be at least ${lastSent}`);
  }
  return response;
}

/**
 * Parses a pull response. Given the request, also checks it answers that request: one entry per
 * resource in the same order, a full load (cursor `null`) starting with `clear`, and a page with
 * `more: true` moving its cursor.
 */
export function parsePullResponse(json: unknown, request?: PullRequest): PullResponse {
  const response = parseWith(PullResponse, json, 'pull response');
  if (request === undefined) return response;
  const asked = request.resources;
  if (response.resources.length !== asked.length) {
    fail(
      'pull response',
      'resources',
      `has ${response.resources.length} entries for ${asked.length} resources`,
    );
  }
  response.resources.forEach((resource, i) => {
    const { path, cursor } = asked[i]!;
    if (resource.path !== path)
      fail('pull response', `resources[${i}].path`, `must be ${JSON.stringify(path)}`);
    if (cursor === null && resource.patch[0]?.op !== 'clear') {
      fail('pull response', `resources[${i}].patch`, 'must start with a "clear" op: it answers a full load');
    }
    if (resource.more && resource.cursor === cursor) {
      fail('pull response', `resources[${i}].cursor`, 'must move forward when `more` is true');
    }
  });
  return response;
}

/** Parses the body of a non-200 answer. */
export function parseErrorBody(json: unknown): ErrorBody {
  return parseWith(ErrorBody, json, 'error body');
}

function parseWith<S extends v.GenericSchema>(schema: S, json: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, json, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue.path ?? [];
  const field = formatFieldPath(path.map((item) => item.key));
  const missing = issue.type === 'object' && path.at(-1)?.origin === 'key';
  return fail(what, field, missing ? 'is missing' : issue.message);
}

function fail(what: string, field: string, problem: string): never {
  throw new SSSyncError('PROTOCOL', `Invalid ${what}: ${field === '' ? 'the body' : field} ${problem}.`, {
    details: { field },
  });
}

function checkRequestVersion(json: unknown, what: string): void {
  if (!isPlainObject(json)) fail(what, '', 'must be a JSON object');
  const version = json.protocolVersion;
  if (version === undefined) fail(what, 'protocolVersion', 'is missing');
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    fail(what, 'protocolVersion', 'must be an integer ≥ 1');
  }
  if (version !== PROTOCOL_VERSION) {
    throw new SSSyncError(
      'VERSION_MISMATCH',
      `This ${what} has protocolVersion ${version}; this side speaks version ${PROTOCOL_VERSION}.`,
      { details: { field: 'protocolVersion', protocolVersion: version } },
    );
  }
}

function checkCount(json: unknown, key: 'mutations' | 'resources', limit: number): void {
  const items = (json as Record<string, unknown>)[key];
  if (!Array.isArray(items) || items.length <= limit) return;
  throw new SSSyncError(
    'TOO_LARGE',
    `The request holds ${items.length} ${key}; this server takes at most ${limit} per request: send them in batches.`,
    { details: { field: key, limit } },
  );
}
