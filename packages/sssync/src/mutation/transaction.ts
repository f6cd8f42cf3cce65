import type { Query } from '../query/query.js';
import type { Schema } from '../schema/schema.js';
import type { InsertRow, Row, RowId, TableName, UpdateRow } from '../schema/types.js';

/** Writes and reads of one table inside a mutator. Identical on the client and on the server. */
export interface TableWriter<S extends Schema, T extends TableName<S>> {
  /** Adds a row; fails with `DUPLICATE_ID` if the id exists. */
  insert(row: InsertRow<S, T>): Promise<void>;
  /** Adds the row, or, if the id exists, sets the given columns (the others keep their values). */
  upsert(row: InsertRow<S, T>): Promise<void>;
  /** Sets the given columns of an existing row; fails with `NOT_FOUND` if there is none. */
  update(row: UpdateRow<S, T>): Promise<void>;
  /** Removes the row; removing a missing row does nothing. */
  delete(row: { id: RowId<S, T> }): Promise<void>;
  get(id: RowId<S, T>): Promise<Row<S, T> | undefined>;
}

export type QueryRoot<S extends Schema> = { readonly [T in TableName<S>]: Query<S, T> };

export type Transaction<S extends Schema> = { readonly [T in TableName<S>]: TableWriter<S, T> } & {
  /** Queries over the transaction's own view (its writes included). `run()` only; no `subscribe`. */
  readonly query: QueryRoot<S>;
  readonly clientID: string;
  readonly mutationID: number;
  /** On the server: the authenticated user. On the client: undefined. */
  readonly userID: string | undefined;
  /** Where the mutator runs: optimistically on the client, or authoritatively on the server. */
  readonly location: 'client' | 'server';
  /** `initial` the first run on the client, `rebase` a replay on top of new server state. */
  readonly reason: 'initial' | 'rebase' | 'server';
};
