/**
 * Who owns what (PROTOCOL.md §4.2): a client group belongs to the user of its first request, a client
 * to the group of its first push. Recorded in the database on first sight; insert-if-absent, then
 * read back, so two racing first requests agree on one owner. An owner, once recorded, never changes.
 */
import type { SyncDatabase, Tx } from './database.js';
import { withRetries, writeTransaction } from './database.js';
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
  const group = await findOrInsert(
    db,
    tx,
    META_TABLES.groups,
    'client_group_id',
    groupID,
    { client_group_id: groupID, user_id: userID },
    'user_id',
  );
  if (String(group) !== userID) return { ok: false, field: 'clientGroupID' };
  if (clientID === undefined) return { ok: true, lastMutationID: 0 };
  const read = () => {
    const select = tx
      .selectFrom(META_TABLES.clients)
      .select(['client_group_id', 'last_mutation_id'])
      .where('client_id', '=', clientID);
    return (db.dialect === 'sqlite' ? select : select.forUpdate()).executeTakeFirst();
  };
  let row = await read();
  if (!row) {
    await insertIgnore(db, tx, META_TABLES.clients, 'client_id', {
      client_id: clientID,
      client_group_id: groupID,
      last_mutation_id: 0,
      updated_at: Date.now(),
    });
    row = await read();
    if (!row) throw new Error(`sssync: the row of client ${clientID} is missing after its insert.`);
  }
  if (String(row.client_group_id) !== groupID) return { ok: false, field: 'clientID' };
  return { ok: true, lastMutationID: Number(row.last_mutation_id) };
}

/** The user a group belongs to, `undefined` if it has none yet: a plain read (owners never change). */
export async function groupOwner(tx: Tx, groupID: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom(META_TABLES.groups)
    .select('user_id')
    .where('client_group_id', '=', groupID)
    .executeTakeFirst();
  return row === undefined ? undefined : String(row.user_id);
}

async function findOrInsert(
  db: SyncDatabase,
  tx: Tx,
  table: string,
  key: string,
  id: string,
  values: Record<string, unknown>,
  column: string,
): Promise<unknown> {
  const read = () => tx.selectFrom(table).select(column).where(key, '=', id).executeTakeFirst();
  const found = await read();
  if (found) return found[column];
  await insertIgnore(db, tx, table, key, values);
  return (await read())?.[column];
}

/** Inserts `values` unless a row with the same `key` exists. */
export function insertIgnore(
  db: SyncDatabase,
  tx: Tx,
  table: string,
  key: string,
  values: Record<string, unknown>,
): Promise<unknown> {
  const insert = tx.insertInto(table).values(values);
  return db.dialect === 'mysql'
    ? insert.ignore().execute()
    : insert.onConflict((oc) => oc.column(key).doNothing()).execute();
}
