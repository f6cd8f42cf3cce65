/**
 * Push (PROTOCOL.md §5): each mutation in its own transaction, which locks the client's row, checks
 * the mutation id against `last_mutation_id` (duplicate, next, or gap), takes the next version (the
 * version row's lock orders all writing transactions, see docs/server.md), runs the mutator under a
 * savepoint, and advances `last_mutation_id` whether the mutator succeeded or was rolled back.
 */
import { sql } from 'kysely';
import { type MutatorFn, validateArgs } from '../mutation/mutators.js';
import { PROTOCOL_VERSION } from '../protocol/limits.js';
import { mutatorNameIsSafe } from '../protocol/mutation-input.js';
import type { Mutation, MutationResult, PushRequest } from '../protocol/push.js';
import { SSSyncError } from '../util/errors.js';
import { type ServerContext, serverMutator } from './context.js';
import { type Tx, withRetries, writeTransaction } from './database.js';
import { claim } from './ownership.js';
import { errorResponse, jsonResponse } from './responses.js';
import { serverTransaction } from './server-tx.js';
import { META_TABLES } from './sql-schema.js';

type Outcome = { readonly result: MutationResult; readonly last: number } | { readonly gap: number };

export async function handlePush(ctx: ServerContext, req: PushRequest, userID: string): Promise<Response> {
  const owner = await claim(ctx.db, req.clientGroupID, userID, req.clientID);
  if (!owner.ok) return forbidden(owner.field);
  let last = owner.lastMutationID;
  const results: MutationResult[] = [];
  for (const [i, m] of req.mutations.entries()) {
    const outcome = await withRetries(ctx.db, () =>
      writeTransaction(ctx.db, (tx) => runMutation(ctx, tx, req.clientID, userID, m)),
    );
    if ('gap' in outcome) {
      return errorResponse(
        'MUTATION_ID_GAP',
        `Mutation ${m.id} of client ${req.clientID} cannot run: the server has applied up to ${outcome.gap}. ` +
          `Send mutation ${outcome.gap + 1} first.`,
        { field: `mutations[${i}].id`, lastMutationID: outcome.gap },
      );
    }
    results.push(outcome.result);
    last = outcome.last;
  }
  return jsonResponse(200, {
    protocolVersion: PROTOCOL_VERSION,
    results,
    lastMutationIDs: { [req.clientID]: last },
  });
}

async function runMutation(
  ctx: ServerContext,
  tx: Tx,
  clientID: string,
  userID: string,
  m: Mutation,
): Promise<Outcome> {
  const { db } = ctx;
  let lock = tx.selectFrom(META_TABLES.clients).select('last_mutation_id').where('client_id', '=', clientID);
  // SQLite has no row locks: its write transactions begin IMMEDIATE, so they run one at a time anyway.
  if (db.dialect !== 'sqlite') lock = lock.forUpdate();
  const last = Number((await lock.executeTakeFirstOrThrow()).last_mutation_id);
  if (m.id <= last) return { result: { id: m.id, ok: true, duplicate: true }, last };
  if (m.id > last + 1) return { gap: last };
  const result = await runMutator(ctx, tx, clientID, userID, m);
  await tx
    .updateTable(META_TABLES.clients)
    .set({ last_mutation_id: m.id, updated_at: Date.now() })
    .where('client_id', '=', clientID)
    .execute();
  return { result, last: m.id };
}

async function runMutator(
  ctx: ServerContext,
  tx: Tx,
  clientID: string,
  userID: string,
  m: Mutation,
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
  const version = await nextVersion(tx);
  await sql`savepoint sssync_mutation`.execute(tx);
  const run = serverTransaction({
    tx,
    dialect: ctx.db.dialect,
    schema: ctx.schema,
    version,
    clientID,
    mutationID: m.id,
    userID,
  });
  try {
    const fn = (typeof def === 'function' ? def : def.run) as MutatorFn<typeof ctx.schema>;
    await fn(run.tx, ...args);
    await run.settle();
    await run.close();
    await sql`release savepoint sssync_mutation`.execute(tx);
    return { id: m.id, ok: true };
  } catch (e) {
    await run.close();
    // A deadlock or serialization failure is the database's, not the mutator's: retry it all.
    if (ctx.db.isRetryable(e)) throw e;
    await sql`rollback to savepoint sssync_mutation`.execute(tx);
    return failure(m.id, e);
  }
}

/**
 * The next version, taken by incrementing the single row of `sssync_version`: the row stays locked
 * until this transaction commits, so writing transactions commit in version order.
 */
async function nextVersion(tx: Tx): Promise<number> {
  await tx
    .updateTable(META_TABLES.version)
    .set((eb) => ({ v: eb('v', '+', 1) }))
    .where('id', '=', 1)
    .execute();
  const row = await tx
    .selectFrom(META_TABLES.version)
    .select('v')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.v);
}

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
