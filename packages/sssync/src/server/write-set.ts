/**
 * The rows a push has written so far, kept in memory where the database has no interactive
 * transactions (D1): mutators read their own writes from here (`server-tx.ts`, `query-host.ts`), a
 * failed mutator's writes are undone as a savepoint's would be, and at the end the rows become the
 * statements of the push's one atomic batch (`batch-push.ts`).
 */
import type { CompiledQuery, Kysely } from 'kysely';

type SqlRow = Record<string, unknown>;

interface Entry {
  /** The whole row as the database will hold it (schema and sync columns). */
  readonly row: SqlRow;
  /** The row was in the database before the push (an update), or not (an insert). */
  readonly stored: boolean;
}

interface Undo {
  readonly table: string;
  readonly key: string;
  readonly before: Entry | undefined;
}

const keyOf = (id: unknown): string => JSON.stringify(id);

export class WriteSet {
  private readonly tables = new Map<string, Map<string, Entry>>();
  /** One undo log per open savepoint, innermost last. */
  private readonly undo: Undo[][] = [];

  /** The row as this push left it (a tombstone too), or undefined if the push did not write it. */
  get(table: string, id: unknown): SqlRow | undefined {
    return this.tables.get(table)?.get(keyOf(id))?.row;
  }

  /** Every row of `table` this push wrote. */
  rows(table: string): SqlRow[] {
    return [...(this.tables.get(table)?.values() ?? [])].map((e) => e.row);
  }

  /** Records `row` as the new state of `table`/`id`; `stored`: it was read from the database. */
  put(table: string, id: unknown, row: SqlRow, stored: boolean): void {
    let rows = this.tables.get(table);
    if (!rows) {
      rows = new Map();
      this.tables.set(table, rows);
    }
    const key = keyOf(id);
    const before = rows.get(key);
    this.undo.at(-1)?.push({ table, key, before });
    rows.set(key, { row, stored: before?.stored ?? stored });
  }

  savepoint(): void {
    this.undo.push([]);
  }

  /** Keeps the writes since the innermost savepoint. */
  release(): void {
    const log = this.undo.pop() ?? [];
    this.undo.at(-1)?.push(...log);
  }

  /** Undoes the writes since the innermost savepoint and closes it. */
  rollback(): void {
    const log = this.undo.pop() ?? [];
    for (const { table, key, before } of log.reverse()) {
      const rows = this.tables.get(table)!;
      if (before) rows.set(key, before);
      else rows.delete(key);
    }
  }

  /** An insert or an update per written row, in table and write order. */
  statements(kysely: Kysely<any>): CompiledQuery[] {
    const out: CompiledQuery[] = [];
    for (const [table, rows] of this.tables) {
      for (const { row, stored } of rows.values()) {
        if (!stored) out.push(kysely.insertInto(table).values(row).compile());
        else {
          const { id, ...rest } = row;
          out.push(kysely.updateTable(table).set(rest).where('id', '=', id).compile());
        }
      }
    }
    return out;
  }
}
