/**
 * Pull (PROTOCOL.md §6): every resource of the request, and the group's `lastMutationIDs`, read in
 * one snapshot (REPEATABLE READ on Postgres and MySQL, a read transaction on SQLite, reads checked
 * against concurrent pushes where there are no transactions: batch-push.ts).
 */
import { queryRoot } from '../mutation/client-tx.js';
import type { QueryRoot } from '../mutation/transaction.js';
import { PROTOCOL_VERSION } from '../protocol/limits.js';
import type { PullRequest, ResourcePatch } from '../protocol/pull.js';
import type { Query } from '../query/query.js';
import type { Schema } from '../schema/schema.js';
import { isSSSyncError } from '../util/errors.js';
import { readInBatchDatabase } from './batch-push.js';
import type { ServerContext } from './context.js';
import { type Cursor, parseCursor } from './cursor.js';
import { snapshotTransaction, type Tx, withRetries } from './database.js';
import { hurryGroupCommit } from './group-commit.js';
import { claim, groupOwner } from './ownership.js';
import { prepared } from './prepared.js';
import { readPage } from './pull-page.js';
import { forbidden } from './push.js';
import { serverQueryHost } from './query-host.js';
import { matchResource } from './resources.js';
import { errorResponse, jsonResponse } from './responses.js';
import { type Scope, scopeOf } from './scope.js';
import { fits } from './sql-filter.js';
import { META_TABLES, readVersion } from './sql-schema.js';

/** Clients of the group that pushed within this window are always reported (§6.6). */
const RECENT_MS = 7 * 24 * 3600 * 1000;

/**
 * The group's owner is read in the pull's own snapshot (an owner never changes once recorded); only a
 * group not seen yet takes a write transaction, to claim it, before the pull reads.
 */
export async function handlePull(ctx: ServerContext, req: PullRequest, userID: string): Promise<Response> {
  hurryGroupCommit(ctx.db);
  // Without interactive transactions, a pull is one snapshot if no push committed during its reads.
  const inSnapshot = ctx.db.batch ? readInBatchDatabase : snapshotTransaction;
  const read = () => withRetries(ctx.db, () => inSnapshot(ctx.db, (tx) => pullIn(ctx, tx, req, userID)));
  const first = await read();
  if (first !== UNCLAIMED) return first;
  const owner = await claim(ctx.db, req.clientGroupID, userID);
  if (!owner.ok) return forbidden(owner.field);
  const second = await read();
  if (second === UNCLAIMED) throw new Error('sssync: a claimed client group is missing.');
  return second;
}

const UNCLAIMED = Symbol('unclaimed');

async function pullIn(
  ctx: ServerContext,
  tx: Tx,
  req: PullRequest,
  userID: string,
): Promise<Response | typeof UNCLAIMED> {
  const owner = await groupOwner(tx, req.clientGroupID);
  if (owner === undefined) return UNCLAIMED;
  if (owner !== userID) return forbidden('clientGroupID');
  const now = await readVersion(tx);
  const query = queryRoot(
    serverQueryHost({ tx, dialect: ctx.db.dialect, schema: ctx.schema, maxParameters: ctx.db.maxParameters }),
  ) as QueryRoot<Schema>;
  const resources: ResourcePatch[] = [];
  for (const [i, r] of req.resources.entries()) {
    const field = `resources[${i}].path`;
    const match = matchResource(ctx.patterns, r.path);
    if (!match) return errorResponse('UNKNOWN_RESOURCE', `No resource matches "${r.path}".`, { field });
    let queries: Query<Schema, any, any, any> | readonly Query<Schema, any, any, any>[];
    try {
      queries = await match.def({ userID, params: match.params, query });
    } catch (e) {
      if (isSSSyncError(e, 'FORBIDDEN')) return errorResponse('FORBIDDEN', e.message, { field });
      if (isSSSyncError(e, 'UNKNOWN_RESOURCE'))
        return errorResponse('UNKNOWN_RESOURCE', e.message, { field });
      throw e;
    }
    const scope = scopeOf(queries);
    const body = r.cursor === null ? undefined : await ctx.cursors.open(r.cursor);
    const cursor =
      body === undefined
        ? undefined
        : usable(ctx, scope, parseCursor(body, ctx.meta.epoch, scope.fingerprint, now));
    const page = await readPage({
      tx,
      dialect: ctx.db.dialect,
      schema: ctx.schema,
      scope,
      cursor,
      now,
      pageSize: ctx.pageSize,
      epoch: ctx.meta.epoch,
      maxParameters: ctx.db.maxParameters,
    });
    resources.push({
      path: r.path,
      patch: page.patch,
      cursor: await ctx.cursors.seal(page.cursor),
      more: page.more,
    });
  }
  const clients = await selectClients(tx, req.clientGroupID, Date.now() - RECENT_MS, req.clientID);
  const lastMutationIDs: Record<string, number> = {};
  for (const c of clients.rows) lastMutationIDs[String(c.client_id)] = Number(c.last_mutation_id);
  return jsonResponse(200, { protocolVersion: PROTOCOL_VERSION, resources, lastMutationIDs });
}

const selectClients = prepared<[groupID: string, since: number, clientID: string]>((tx, arg) =>
  tx
    .selectFrom(META_TABLES.clients)
    .select(['client_id', 'last_mutation_id'])
    .where('client_group_id', '=', arg(0))
    // The pulling client always, however long ago it pushed: it tells a server that lost its history.
    .where((eb) => eb.or([eb('updated_at', '>=', arg(1)), eb('client_id', '=', arg(2))])),
);

/** A parsed cursor whose position this scope can resume from; anything else means a full load. */
function usable(ctx: ServerContext, scope: Scope, cursor: Cursor | undefined): Cursor | undefined {
  const at = cursor?.position;
  if (!at || at.table === undefined) return cursor;
  if (!scope.tables.has(at.table)) return undefined;
  const idSpec = ctx.schema.tables[at.table]?.columns.id;
  return idSpec && fits(idSpec, at.id) ? cursor : undefined;
}
