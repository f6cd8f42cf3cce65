/**
 * Who owns what (PROTOCOL.md §4.2): a client group belongs to the user of its first request, a client
 * to the group of its first push. Recorded in the database on first sight; insert-if-absent, then
 * read back, so two racing first requests agree on one owner.
 */
import type { SyncDatabase, Tx } from './database.js';
import { withRetries, writeTransaction } from './database.js';
import { META_TABLES } from './sql-schema.js';

export type Ownership =
  | { readonly ok: true; readonly lastMutationID: number }
  | { readonly ok: false; readonly field: 'clientGroupID' | 'clientID' };

/** Claims `groupID` for `userID` and, for a push, `clientID` for the group. */
export function claim(
  db: SyncDatabase,
  groupID: string,
  userID: string,
  clientID: string | undefined,
): Promise<Ownership> {
  return withRetries(db, () =>
    writeTransaction(db, async (tx): Promise<Ownership> => {
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
      const values = {
        client_id: clientID,
        client_group_id: groupID,
        last_mutation_id: 0,
        updated_at: Date.now(),
      };
      const client = await tx
        .selectFrom(META_TABLES.clients)
        .select(['client_group_id', 'last_mutation_id'])
        .where('client_id', '=', clientID)
        .executeTakeFirst();
      if (!client) await insertIgnore(db, tx, META_TABLES.clients, 'client_id', values);
      // Every push counts as activity, duplicates too (pulls report clients active this week).
      else
        await tx
          .updateTable(META_TABLES.clients)
          .set({ updated_at: values.updated_at })
          .where('client_id', '=', clientID)
          .execute();
      const row =
        client ??
        (await tx
          .selectFrom(META_TABLES.clients)
          .select(['client_group_id', 'last_mutation_id'])
          .where('client_id', '=', clientID)
          .executeTakeFirstOrThrow());
      if (String(row.client_group_id) !== groupID) return { ok: false, field: 'clientID' };
      return { ok: true, lastMutationID: Number(row.last_mutation_id) };
    }),
  );
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

function insertIgnore(
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
