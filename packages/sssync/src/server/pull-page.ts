/**
 * One page of one resource's patch. Rows are read in the order (version, table, id) from the
 * position the cursor names: what changed since the base version, plus (for a full load) the rows in
 * scope. A row that changed after an earlier page moves to a later position, so it is read again;
 * nothing behind the position can change without moving ahead of it. See docs/server.md.
 */

import type { Expression, SqlBool } from 'kysely';
import type { PatchOp, Row } from '../protocol/pull.js';
import type { Schema } from '../schema/schema.js';
import type { TableDef } from '../schema/table.js';
import { type Cursor, completeCursor, type Position, pageCursor } from './cursor.js';
import type { SqlDialect, Tx } from './database.js';
import type { Scope, TableScope } from './scope.js';
import { anyOf, maxInList } from './sql-filter.js';
import { decodeRow, decodeValue, encodeFlag, SYNC } from './sql-schema.js';

export interface PageRequest {
  readonly tx: Tx;
  readonly dialect: SqlDialect;
  readonly schema: Schema;
  readonly scope: Scope;
  /** `undefined`: a full load. */
  readonly cursor: Cursor | undefined;
  /** The version of the snapshot this pull reads. */
  readonly now: number;
  readonly pageSize: number;
  readonly epoch: string;
  /** Bound parameters per statement (`SyncDatabase.maxParameters`). */
  readonly maxParameters?: number | undefined;
}

export interface Page {
  readonly patch: PatchOp[];
  readonly cursor: string;
  readonly more: boolean;
}

type SqlRow = Record<string, unknown>;

export async function readPage(req: PageRequest): Promise<Page> {
  const { cursor, now, pageSize, epoch, scope } = req;
  const full = cursor === undefined;
  // A full load's base is its first snapshot: after that, only rows changed since need a `del`.
  const base = full ? now : cursor.base;
  const start: Position = full ? { version: 0 } : (cursor.position ?? { version: cursor.base });
  const batch = Math.min(pageSize + 1, 1000);
  const streams = [...scope.tables].map(
    ([table, ts]) => new TableStream(req, table, req.schema.tables[table]!, ts, base, start, batch),
  );
  const patch: PatchOp[] = full ? [{ op: 'clear' }] : [];
  // Every row this snapshot sees has a version up to `now`: from a cursor at `now` (a client at the
  // head, polling for changes) there is nothing to read.
  if (!full && start.table === undefined && start.version >= now) {
    return { patch, cursor: completeCursor(epoch, scope.fingerprint, now), more: false };
  }
  let count = 0;
  let at = start;
  let finishing: number | undefined;
  for (;;) {
    const next = await first(streams);
    if (!next) return { patch, cursor: completeCursor(epoch, scope.fingerprint, now), more: false };
    const version = Number(next.row[SYNC.version]);
    if (count >= pageSize && version !== finishing) {
      const cut =
        finishing === undefined
          ? pageCursor(epoch, scope.fingerprint, base, at)
          : pageCursor(epoch, scope.fingerprint, base, { version: finishing });
      if (cut !== undefined) return { patch, cursor: cut, more: true };
      // The id is too long for a cursor: finish this version and cut after it.
      finishing = at.version;
      continue;
    }
    next.stream.take();
    const op = decide(next.stream, next.row, base);
    if (op) {
      patch.push(op);
      count++;
    }
    at = { version, table: next.stream.table, id: next.stream.id(next.row) };
  }
}

/** The op a changed or in-scope row makes, if any. */
function decide(stream: TableStream, row: SqlRow, base: number): PatchOp | undefined {
  const { table, def, scope } = stream;
  const deleted = row[SYNC.deleted] === true || Number(row[SYNC.deleted]) === 1;
  const value = decodeRow(def, row);
  if (!deleted && scope.holds(value)) return { op: 'put', table, row: value as Row };
  if (Number(row[SYNC.version]) <= base) return undefined;
  // The row is gone or out of scope now. The client holds it only if it held the row's state at the
  // base version: known when the row changed once since (its previous image is that state).
  const prev = row[SYNC.prev];
  const held =
    Number(row[SYNC.prevVersion]) <= base
      ? typeof prev === 'string' && scope.holds(JSON.parse(prev) as Record<string, unknown>)
      : true;
  return held ? { op: 'del', table, id: value.id as string | number } : undefined;
}

async function first(
  streams: readonly TableStream[],
): Promise<{ stream: TableStream; row: SqlRow } | undefined> {
  let best: { stream: TableStream; row: SqlRow } | undefined;
  for (const stream of streams) {
    const row = await stream.peek();
    if (row === undefined) continue;
    // Streams are in table-name order, so on equal versions the earlier stream comes first.
    if (!best || Number(row[SYNC.version]) < Number(best.row[SYNC.version])) best = { stream, row };
  }
  return best;
}

/** The candidate rows of one table, in (version, id) order, fetched in batches. */
class TableStream {
  readonly table: string;
  readonly def: TableDef;
  readonly scope: TableScope;
  private readonly req: PageRequest;
  private readonly base: number;
  private readonly batch: number;
  private readonly start: Position;
  private buffer: SqlRow[] = [];
  private last: SqlRow | undefined;
  private exhausted = false;

  constructor(
    req: PageRequest,
    table: string,
    def: TableDef,
    scope: TableScope,
    base: number,
    start: Position,
    batch: number,
  ) {
    this.req = req;
    this.table = table;
    this.def = def;
    this.scope = scope;
    this.base = base;
    this.start = start;
    this.batch = batch;
  }

  id(row: SqlRow): string | number {
    return decodeValue(this.def.columns.id!, row.id) as string | number;
  }

  async peek(): Promise<SqlRow | undefined> {
    if (this.buffer.length === 0 && !this.exhausted) await this.fetch();
    return this.buffer[0];
  }

  take(): void {
    this.buffer.shift();
  }

  private async fetch(): Promise<void> {
    const { tx, dialect } = this.req;
    const rows = await tx
      .selectFrom(this.table)
      .selectAll()
      .where((eb) => {
        const v = eb.ref(SYNC.version);
        const after = (version: number, id: unknown): Expression<SqlBool> =>
          eb.or([eb(v, '>', version), eb.and([eb(v, '=', version), eb('id', '>', id)])]);
        let position: Expression<SqlBool>;
        if (this.last) position = after(Number(this.last[SYNC.version]), this.last.id);
        else if (this.start.table === undefined || this.table < this.start.table)
          position = eb(v, '>', this.start.version);
        else if (this.table === this.start.table) position = after(this.start.version, this.start.id);
        else position = eb(v, '>=', this.start.version);
        const live: Expression<SqlBool>[] = [eb(SYNC.deleted, '=', encodeFlag(dialect, false))];
        const filter = anyOf(eb, dialect, this.def, this.scope.conditions, maxInList(this.req.maxParameters));
        if (filter) live.push(filter);
        return eb.and([position, eb.or([eb(v, '>', this.base), eb.and(live)])]);
      })
      .orderBy(SYNC.version)
      .orderBy('id')
      .limit(this.batch)
      .execute();
    this.buffer = rows;
    this.last = rows.at(-1);
    this.exhausted = rows.length < this.batch;
  }
}
