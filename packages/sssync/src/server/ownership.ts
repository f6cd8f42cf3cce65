/**
 * Who owns what (PROTOCOL.md §4.2): a client group belongs to the user of its first request, a client
 * to the group of its first push. Recorded in the database on first sight; insert-if-absent, then
 * read back, so two racing first requests agree on one owner. An owner, once recorded, never changes.
 */
import type { InsertQueryBuilder } from 'kysely';
import type { SqlDialect, SyncDatabase, Tx } from './database.js';
import { withRetries, writeTransaction } from './database.js';
import { type Arg, type Prepared, prepared } from './prepared.js';
import { META_TABLES } from './sql-schema.js';

export type Ownership =
  | { readonly ok: true; readonly lastMutationID: number }
  | { readonly ok: false; readonly field: 'clientGroupID' | 'clientID' };

/** Claims `groupID` for `userID` in a transaction of its own (pulls of a group not seen yet). */
export function claim(db: SyncDatabase, groupID: string, userID: string): Promise<Ownership> {
  return withRetries(db, () => writeTransaction(db, (tx) => claimIn(db, tx, groupID, userID, undefined)));
}

/**
 * Claims `groupID` for `userID` and, for a push, `clientID` for the group, inside the caller's write
 * transaction. For a push the client's row is read `FOR UPDATE` (Postgres, MySQL; SQLite's write
 * transactions run one at a time), so `lastMutationID` is read under the lock that orders racing
 * pushes of one client, and stays valid until the caller commits.
 */
export async function claimIn(
  db: SyncDatabase,
  tx: Tx,
  groupID: string,
  userID: string,
  clientID: string | undefined,
): Promise<Ownership> {
  let group = await groupOwner(tx, groupID);
  if (group === undefined) {
    await insertGroup(db.dialect)(tx, groupID, userID);
    group = await groupOwner(tx, groupID);
  }
  if (group !== userID) return { ok: false, field: 'clientGroupID' };
  if (clientID === undefined) return { ok: true, lastMutationID: 0 };
  const read = db.dialect === 'sqlite' ? selectClient : selectClientForUpdate;
  let row = (await read(tx, clientID)).rows[0];
  if (!row) {
    await insertClient(db.dialect)(tx, clientID, groupID, Date.now());
    row = (await read(tx, clientID)).rows[0];
    if (!row) throw new Error(`sssync: the row of client ${clientID} is missing after its insert.`);
  }
  if (String(row.client_group_id) !== groupID) return { ok: false, field: 'clientID' };
  return { ok: true, lastMutationID: Number(row.last_mutation_id) };
}

/** The user a group belongs to, `undefined` if it has none yet: a plain read (owners never change). */
export async function groupOwner(tx: Tx, groupID: string): Promise<string | undefined> {
  const row = (await selectOwner(tx, groupID)).rows[0];
  return row === undefined ? undefined : String(row.user_id);
}

const selectOwner = prepared<[groupID: string]>((tx, arg) =>
  tx.selectFrom(META_TABLES.groups).select('user_id').where('client_group_id', '=', arg(0)),
);

const clientQuery = (tx: Tx, arg: Arg) =>
  tx
    .selectFrom(META_TABLES.clients)
    .select(['client_group_id', 'last_mutation_id'])
    .where('client_id', '=', arg(0));
const selectClient = prepared<[clientID: string]>(clientQuery);
const selectClientForUpdate = prepared<[clientID: string]>((tx, arg) => clientQuery(tx, arg).forUpdate());

const insertGroup = insertIfAbsent<[groupID: string, userID: string]>('client_group_id', (tx, arg) =>
  tx.insertInto(META_TABLES.groups).values({ client_group_id: arg(0), user_id: arg(1) }),
);

const insertClient = insertIfAbsent<[clientID: string, groupID: string, now: number]>(
  'client_id',
  (tx, arg) =>
    tx.insertInto(META_TABLES.clients).values({
      client_id: arg(0),
      client_group_id: arg(1),
      last_mutation_id: 0,
      updated_at: arg(2),
    }),
);

/** The insert, doing nothing where a row with the same `key` exists, for each dialect. */
function insertIfAbsent<A extends readonly unknown[]>(
  key: string,
  build: (tx: Tx, arg: Arg) => InsertQueryBuilder<any, any, any>,
): (dialect: SqlDialect) => Prepared<A> {
  const ignore = prepared<A>((tx, arg) => ignoring('mysql', key, build(tx, arg)));
  const onConflict = prepared<A>((tx, arg) => ignoring('sqlite', key, build(tx, arg)));
  return (dialect) => (dialect === 'mysql' ? ignore : onConflict);
}

/** MySQL's insert-if-absent is `insert ignore`; the others' `on conflict do nothing`. */
function ignoring(dialect: SqlDialect, key: string, insert: InsertQueryBuilder<any, any, any>) {
  return dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.column(key).doNothing());
}

/** Inserts `values` unless a row with the same `key` exists. */
export function insertIgnore(
  db: SyncDatabase,
  tx: Tx,
  table: string,
  key: string,
  values: Record<string, unknown>,
): Promise<unknown> {
  return ignoring(db.dialect, key, tx.insertInto(table).values(values)).execute();
}
