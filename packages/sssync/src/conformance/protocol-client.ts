/**
 * The suite's side of the protocol: who sends (an actor: user, client group, client), request bodies,
 * and push/pull calls that insist on a 200 that answers the request (checked with the reference
 * validators, so a malformed answer fails the check that received it).
 */
import { parseErrorBody, parsePullResponse, parsePushResponse } from '../protocol/parse.js';
import type { PullRequest, PullResponse } from '../protocol/pull.js';
import type { Mutation, PushRequest, PushResponse } from '../protocol/push.js';
import { errorMessage } from '../util/errors.js';
import { fail, show } from './check.js';
import { type Answer, bearer, type TestRun } from './test-run.js';

export interface Actor {
  readonly user: string;
  readonly group: string;
  readonly client: string;
}

/** A fresh client of `user`, in `group` or a fresh group. */
export function actor(t: TestRun, user: string, group?: string): Actor {
  return { user, group: group ?? t.fresh('g'), client: t.fresh('c') };
}

/** A mutator call: name, then arguments. */
export type Call = readonly [name: string, ...args: unknown[]];

/** A mutation as the suite sends it: its args may be anything, to see the server refuse them. */
export type SentMutation = Omit<Mutation, 'args'> & { readonly args: readonly unknown[] };

export function mutations(firstID: number, calls: readonly Call[]): SentMutation[] {
  return calls.map(([name, ...args], i) => ({ id: firstID + i, name, args, timestamp: Date.now() }));
}

export function pushBody(a: Actor, muts: readonly SentMutation[]) {
  return {
    protocolVersion: 1,
    schemaVersion: 1,
    clientGroupID: a.group,
    clientID: a.client,
    mutations: [...muts],
  };
}

export type Resources = readonly { readonly path: string; readonly cursor: string | null }[];

export function pullBody(a: Actor, resources: Resources): PullRequest {
  return {
    protocolVersion: 1,
    schemaVersion: 1,
    clientGroupID: a.group,
    clientID: a.client,
    resources: [...resources],
  };
}

/** A short account of an answer for details: `409 MUTATION_ID_GAP "…"`. */
export function summary(answer: Answer): string {
  const error = (answer.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error === 'object')
    return `${answer.status} ${String(error.code)} ${show(error.message, 120)}`;
  return `${answer.status} ${show(answer.text, 120)}`;
}

export async function push(t: TestRun, a: Actor, firstID: number, calls: readonly Call[], what: string) {
  return pushMutations(t, a, mutations(firstID, calls), what);
}

export async function pushMutations(
  t: TestRun,
  a: Actor,
  muts: readonly SentMutation[],
  what: string,
): Promise<PushResponse> {
  const request = pushBody(a, muts);
  const answer = await t.send('push', what, { json: request, auth: bearer(a.user) });
  if (answer.status !== 200) fail(`${what}: expected 200, got ${summary(answer)}`);
  let response: PushResponse;
  try {
    response = parsePushResponse(answer.json, request as PushRequest);
  } catch (e) {
    return fail(`${what}: the answer does not fit §5.4: ${errorMessage(e)}`);
  }
  for (const r of response.results)
    if (!r.ok) t.mutationErrors.push({ what: `${what}, mutation ${r.id}`, error: r.error });
  return response;
}

export async function pull(t: TestRun, a: Actor, resources: Resources, what: string): Promise<PullResponse> {
  const request = pullBody(a, resources);
  const answer = await t.send('pull', what, { json: request, auth: bearer(a.user) });
  if (answer.status !== 200) fail(`${what}: expected 200, got ${summary(answer)}`);
  try {
    return parsePullResponse(answer.json, request);
  } catch (e) {
    return fail(`${what}: the answer does not fit §6.3: ${errorMessage(e)}`);
  }
}

/**
 * Checks an error answer: its status, a body that fits §8, its code, and each of `fields` (deep
 * equality; `undefined` means the field must be absent). Returns the error object.
 */
export function expectError(
  answer: Answer,
  status: number,
  code: string,
  fields: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const expected = `${status} ${code}`;
  if (answer.status !== status) fail(`${answer.what}: expected ${expected}, got ${summary(answer)}`);
  let error: Record<string, unknown>;
  try {
    error = parseErrorBody(answer.json).error;
  } catch (e) {
    return fail(
      `${answer.what}: the ${status} body does not fit §8: ${errorMessage(e)} (${show(answer.text)})`,
    );
  }
  if (error.code !== code) fail(`${answer.what}: expected ${expected}, got ${summary(answer)}`);
  const raw = (answer.json as { error: Record<string, unknown> }).error;
  for (const [key, value] of Object.entries(fields)) {
    const actual = raw[key];
    if (JSON.stringify(actual) !== JSON.stringify(value)) {
      fail(
        `${answer.what}: expected ${expected} with ${key} ${value === undefined ? 'absent' : show(value)}, got ${key} ${actual === undefined ? 'absent' : show(actual)}`,
      );
    }
  }
  return error;
}
