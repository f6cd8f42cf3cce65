/**
 * The simulated app: items owned by a user and optionally shared with one reader (an ACL that
 * changes), served by the real `createSyncHandler` over SQLite in memory. Every mutator's first
 * argument is a tag naming the mutation across the whole run (`<client>.<n>`); the server's versions
 * enforce ownership and append each mutation they apply to an `ops` table no resource serves, so a
 * mutation run twice shows there.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { defineMutators, type MutatorDefs } from '../mutation/mutators.js';
import type { Transaction } from '../mutation/transaction.js';
import { c, defineSchema, table } from '../schema/index.js';
import { sqliteDatabase } from '../server/dialects/sqlite.js';
import { createSyncHandler, type SyncHandler } from '../server/handler.js';
import { SSSyncError } from '../util/errors.js';

export const simSchema = defineSchema({
  version: 1,
  tables: {
    items: table({
      id: c.string(),
      owner: c.string(),
      reader: c.string().optional(),
      title: c.string(),
      n: c.number(),
    })
      .index('owner')
      .index('reader'),
    /** Server-only: one row per mutation the server applied (`seq`: the order it applied them in). */
    ops: table({ id: c.string(), tag: c.string(), client: c.string(), mid: c.number(), seq: c.number() }),
  },
});

export type SimSchema = typeof simSchema;
type Tx = Transaction<SimSchema>;

/** The client's optimistic versions: they check nothing (the client does not know its user). */
export const simMutators = defineMutators(simSchema, {
  put: async (tx, _tag: string, id: string, title: string, n: number, owner: string) => {
    const old = await tx.items.get(id);
    await tx.items.upsert({ id, owner: old?.owner ?? owner, reader: old?.reader ?? null, title, n });
  },
  inc: async (tx, _tag: string, id: string, by: number) => {
    const old = await tx.items.get(id);
    if (old) await tx.items.update({ id, n: old.n + by });
  },
  del: (tx, _tag: string, id: string) => tx.items.delete({ id }),
  /** Always refused by the server; its optimistic write must be rolled back. */
  fail: async (tx, _tag: string, id: string) => {
    if (await tx.items.get(id)) await tx.items.update({ id, title: 'failed' });
  },
  give: async (tx, _tag: string, id: string, owner: string) => {
    if (await tx.items.get(id)) await tx.items.update({ id, owner });
  },
  share: async (tx, _tag: string, id: string, reader: string | null) => {
    if (await tx.items.get(id)) await tx.items.update({ id, reader });
  },
});

export type SimMutatorName = keyof typeof simMutators.defs;

function refuse(code: 'FORBIDDEN' | 'MUTATOR_FAILED', message: string): never {
  throw new SSSyncError(code, message);
}

/** The item, which the caller must own (`FORBIDDEN` otherwise); `MUTATOR_FAILED` if it is missing. */
async function owned(tx: Tx, id: string) {
  const item = await tx.items.get(id);
  if (!item) refuse('MUTATOR_FAILED', `No item "${id}".`);
  if (item.owner !== tx.userID) refuse('FORBIDDEN', `Item "${id}" is not yours.`);
  return item;
}

/** Server mutators; `log` appends the applied mutation to `ops` with the next sequence number. */
function serverMutators(next: () => number): MutatorDefs<SimSchema> {
  const log = (tx: Tx, tag: string) => {
    const seq = next();
    return tx.ops.insert({ id: `${tag}~${seq}`, tag, client: tx.clientID, mid: tx.mutationID, seq });
  };
  return {
    put: async (tx: Tx, tag: string, id: string, title: string, n: number, owner: string) => {
      const old = await tx.items.get(id);
      if (owner !== tx.userID || (old && old.owner !== tx.userID)) refuse('FORBIDDEN', 'Not yours.');
      await tx.items.upsert({ id, owner: tx.userID!, reader: old?.reader ?? null, title, n });
      await log(tx, tag);
    },
    inc: async (tx: Tx, tag: string, id: string, by: number) => {
      const item = await tx.items.get(id);
      if (!item) refuse('MUTATOR_FAILED', `No item "${id}".`);
      if (item.owner !== tx.userID && item.reader !== tx.userID) refuse('FORBIDDEN', 'Not yours.');
      await tx.items.update({ id, n: item.n + by });
      await log(tx, tag);
    },
    del: async (tx: Tx, tag: string, id: string) => {
      const item = await tx.items.get(id);
      if (item && item.owner !== tx.userID) refuse('FORBIDDEN', 'Not yours.');
      if (item) await tx.items.delete({ id });
      await log(tx, tag);
    },
    fail: async (tx: Tx, _tag: string, id: string) => {
      await tx.items.upsert({ id, owner: tx.userID!, reader: null, title: 'failed', n: -1 });
      refuse('MUTATOR_FAILED', 'fail always fails.');
    },
    give: async (tx: Tx, tag: string, id: string, owner: string) => {
      await owned(tx, id);
      await tx.items.update({ id, owner });
      await log(tx, tag);
    },
    share: async (tx: Tx, tag: string, id: string, reader: string | null) => {
      await owned(tx, id);
      await tx.items.update({ id, reader });
      await log(tx, tag);
    },
  };
}

export interface SimServer {
  readonly sqlite: BetterSqlite3.Database;
  readonly handler: SyncHandler;
}

/** A server over `sqlite` (a fresh database, or a copy of one: a restored backup). */
export async function simServer(
  sqlite: BetterSqlite3.Database,
  onError: (e: unknown) => void,
): Promise<SimServer> {
  let seq = (sqlite.prepare("select name from sqlite_master where name = 'ops'").get() as unknown)
    ? ((sqlite.prepare('select max(seq) as m from ops').get() as { m: number | null }).m ?? 0)
    : 0;
  const handler = createSyncHandler({
    schema: simSchema,
    mutators: simMutators,
    serverMutators: serverMutators(() => ++seq),
    database: sqliteDatabase(sqlite),
    authenticate: (request) => {
      const user = /^Bearer (user-[a-z])$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return user === undefined ? null : { userID: user };
    },
    resources: {
      '/items': ({ userID, query }) => query.items.where('owner', '=', userID),
      '/shared': ({ userID, query }) => query.items.where('reader', '=', userID),
    },
    // Small pages, so that full loads page (`more`) within a short run.
    limits: { pageSize: 3 },
    onError,
  });
  await handler.prepare();
  return { sqlite, handler };
}

export interface ServerItem {
  id: string;
  owner: string;
  reader: string | null;
  title: string;
  n: number;
}

/** The server's live items, by id. */
export function serverItems(sqlite: BetterSqlite3.Database): ServerItem[] {
  return sqlite
    .prepare('select id, owner, reader, title, n from items where _sssync_deleted = 0 order by id')
    .all() as ServerItem[];
}

/** How many times the server applied each tag (from its `ops` table). */
export function appliedCounts(sqlite: BetterSqlite3.Database): Map<string, number> {
  const rows = sqlite
    .prepare('select tag, count(*) as k from ops where _sssync_deleted = 0 group by tag')
    .all() as {
    tag: string;
    k: number;
  }[];
  return new Map(rows.map((r) => [r.tag, r.k]));
}

/** Each client's `last_mutation_id`, by client id. */
export function serverLastMutationIDs(sqlite: BetterSqlite3.Database): Map<string, number> {
  const rows = sqlite.prepare('select client_id, last_mutation_id from sssync_clients').all() as {
    client_id: string;
    last_mutation_id: number;
  }[];
  return new Map(rows.map((r) => [r.client_id, Number(r.last_mutation_id)]));
}
