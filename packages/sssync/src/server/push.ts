/**
 * Push (PROTOCOL.md §5): the whole request in one write transaction, retried whole after a deadlock
 * or serialization failure (a retry reads `last_mutation_id` again, so nothing runs twice). In it:
 * ownership is claimed and the client's row locked (`FOR UPDATE`; SQLite writers run one at a time),
 * `last_mutation_id` read once; each mutation is a duplicate, the next one, or a gap; the first one to
 * run takes the next version (the version row's lock orders all writing transactions, see
 * docs/server.md) and every mutation of the push runs under its own savepoint, stamped with that
 * version; `last_mutation_id` advances past mutators that failed (rolled back to their savepoint) as
 * well as those that succeeded, and is written once, before the one commit. §5.2 allows several
 * mutations per transaction with a savepoint each: every mutation's writes and its id still commit
 * together or not at all. On SQLite, pushes that arrive together share a transaction (group-commit.ts);
 * on a database without interactive transactions (D1), a push is one guarded batch (batch-push.ts).
 */
import { type MutatorFn, validateArgs } from '../mutation/mutators.js';
import { PROTOCOL_VERSION } from '../protocol/limits.js';
import { mutatorNameIsSafe } from '../protocol/mutation-input.js';
import type { Mutation, MutationResult, PushRequest } from '../protocol/push.js';
import { SSSyncError } from '../util/errors.js';
import { __faults } from '../util/test-faults.js';
import { inBatch } from './batch-push.js';
import { type ServerContext, serverMutator } from './context.js';
import { type Tx, withRetries, writeTransaction } from './database.js';
import { inGroupCommit } from './group-commit.js';
import { claimIn } from './ownership.js';
import { fixed, prepared } from './prepared.js';
import { errorResponse, jsonResponse } from './responses.js';
import { serverTransaction } from './server-tx.js';
import { META_TABLES, readVersion } from './sql-schema.js';
import type { WriteSet } from './write-set.js';

type Outcome =
  | { readonly kind: 'forbidden'; readonly field: 'clientGroupID' | 'clientID' }
  | {
      readonly kind: 'done';
      readonly results: MutationResult[];
      readonly initial: number;
      readonly last: number;
    }
  | { readonly kind: 'gap'; readonly index: number; readonly initial: number; readonly last: number };

function runPush(ctx: ServerContext, req: PushRequest, userID: string): Promise<Outcome> {
  if (ctx.db.batch) {
    return withRetries(ctx.db, () =>
      inBatch(ctx.db, async (tx, version, writes) => {
        const value = await pushIn(ctx, tx, req, userID, version, writes);
        const client =
          value.kind === 'forbidden'
            ? undefined
            : { clientID: req.clientID, read: value.initial, last: value.last };
        return { value, client };
      }),
    );
  }
  if (ctx.db.dialect === 'sqlite')
    return inGroupCommit(ctx.db, nextVersion, (tx, version) => pushIn(ctx, tx, req, userID, version));
  return withRetries(ctx.db, () =>
    writeTransaction(ctx.db, (tx) => {
      let version: Promise<number> | undefined;
      return pushIn(ctx, tx, req, userID, () => (version ??= nextVersion(tx)));
    }),
  );
}

export async function handlePush(ctx: ServerContext, req: PushRequest, userID: string): Promise<Response> {
  const outcome = await runPush(ctx, req, userID);
  switch (outcome.kind) {
    case 'forbidden':
      return forbidden(outcome.field);
    case 'gap': {
      const m = req.mutations[outcome.index]!;
      return errorResponse(
        'MUTATION_ID_GAP',
        `Mutation ${m.id} of client ${req.clientID} cannot run: the server has applied up to ${outcome.last}. ` +
          `Send mutation ${outcome.last + 1} first.`,
        { field: `mutations[${outcome.index}].id`, lastMutationID: outcome.last },
      );
    }
    case 'done':
      return jsonResponse(200, {
        protocolVersion: PROTOCOL_VERSION,
        results: outcome.results,
        lastMutationIDs: { [req.clientID]: outcome.last },
      });
  }
}

/**
 * The push in `tx`; `takeVersion` gives the transaction's version (the first call takes it). With
 * `writes` (no interactive transactions), rows and `last_mutation_id` are left to the caller's batch.
 */
async function pushIn(
  ctx: ServerContext,
  tx: Tx,
  req: PushRequest,
  userID: string,
  takeVersion: () => Promise<number>,
  writes?: WriteSet,
): Promise<Outcome> {
  const owner = await claimIn(ctx.db, tx, req.clientGroupID, userID, req.clientID);
  if (!owner.ok) return { kind: 'forbidden', field: owner.field };
  const initial = owner.lastMutationID;
  let last = initial;
  const results: MutationResult[] = [];
  let gap: number | undefined;
  for (const [i, m] of req.mutations.entries()) {
    if (m.id <= last && !__faults.serverSkipsExactlyOnce) {
      results.push({ id: m.id, ok: true, duplicate: true });
      continue;
    }
    if (m.id > last + 1) {
      gap = i;
      break;
    }
    results.push(await runMutator(ctx, tx, req.clientID, userID, m, takeVersion, writes));
    last = m.id;
  }
  // Every push counts as activity, duplicates and gaps too (pulls report clients active this week).
  if (!writes) {
    if (last === initial) await touchClient(tx, req.clientID, Date.now());
    else await advanceClient(tx, req.clientID, Date.now(), last);
  }
  return gap === undefined
    ? { kind: 'done', results, initial, last }
    : { kind: 'gap', index: gap, initial, last };
}

async function runMutator(
  ctx: ServerContext,
  tx: Tx,
  clientID: string,
  userID: string,
  m: Mutation,
  takeVersion: () => Promise<number>,
  writes: WriteSet | undefined,
): Promise<MutationResult> {
  const def = mutatorNameIsSafe(m.name) ? serverMutator(ctx, m.name) : undefined;
  if (!def)
    return rejected(m.id, 'UNKNOWN_MUTATOR', `Unknown mutator "${m.name}": this server does not have it.`);
  let args: unknown[];
  try {
    args = await validateArgs(m.name, def, m.args);
  } catch (e) {
    return failure(m.id, e);
  }
  const version = await takeVersion();
  if (writes) writes.savepoint();
  else await savepoint(tx);
  const run = serverTransaction({
    tx,
    dialect: ctx.db.dialect,
    schema: ctx.schema,
    version,
    clientID,
    mutationID: m.id,
    userID,
    writes,
    maxParameters: ctx.db.maxParameters,
  });
  try {
    const fn = (typeof def === 'function' ? def : def.run) as MutatorFn<typeof ctx.schema>;
    await fn(run.tx, ...args);
    await run.settle();
    await run.close();
    if (writes) writes.release();
    else await release(tx);
    return { id: m.id, ok: true };
  } catch (e) {
    await run.close();
    // A deadlock or serialization failure is the database's, not the mutator's: retry it all.
    if (ctx.db.isRetryable(e)) throw e;
    if (writes) writes.rollback();
    else await rollback(tx);
    return failure(m.id, e);
  }
}

const savepoint = fixed('savepoint sssync_mutation');
const release = fixed('release savepoint sssync_mutation');
const rollback = fixed('rollback to savepoint sssync_mutation');

/**
 * The next version, taken by incrementing the single row of `sssync_version`: the row stays locked
 * until this transaction commits, so writing transactions commit in version order.
 */
async function nextVersion(tx: Tx): Promise<number> {
  await bumpVersion(tx);
  return readVersion(tx);
}

const bumpVersion = prepared<[]>((tx) =>
  tx
    .updateTable(META_TABLES.version)
    .set((eb) => ({ v: eb('v', '+', 1) }))
    .where('id', '=', 1),
);

const touchClient = prepared<[clientID: string, now: number]>((tx, arg) =>
  tx
    .updateTable(META_TABLES.clients)
    .set({ updated_at: arg(1) })
    .where('client_id', '=', arg(0)),
);

const advanceClient = prepared<[clientID: string, now: number, last: number]>((tx, arg) =>
  tx
    .updateTable(META_TABLES.clients)
    .set({ last_mutation_id: arg(2), updated_at: arg(1) })
    .where('client_id', '=', arg(0)),
);

/** Schema errors from a mutator's writes: the arguments did not fit (§5.3). */
const ARGUMENT_CODES = new Set(['INVALID_ROW', 'UNKNOWN_COLUMN', 'UNKNOWN_TABLE', 'INVALID_ARGUMENT']);

/** A mutator's failure as a result: its SSSyncError's code and message, or nothing internal. */
function failure(id: number, e: unknown): MutationResult {
  if (!(e instanceof SSSyncError))
    return rejected(id, 'MUTATOR_FAILED', 'The mutation failed on the server.');
  const code = ARGUMENT_CODES.has(e.code) ? 'INVALID_ARGUMENT' : e.code;
  const details = e.details ?? {};
  const field =
    typeof details.field === 'string'
      ? details.field
      : typeof details.argument === 'number'
        ? `args[${details.argument}]`
        : undefined;
  return rejected(id, code, e.message, field);
}

function rejected(id: number, code: string, message: string, field?: string): MutationResult {
  return { id, ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}

export function forbidden(field: 'clientGroupID' | 'clientID'): Response {
  return errorResponse(
    'FORBIDDEN',
    field === 'clientGroupID'
      ? 'This client group belongs to another user. Sign in as its user, or use a new client group.'
      : 'This client belongs to another client group. Use a new client id.',
    { field },
  );
}
