import type { AnyColumn, Column } from './column.js';

export type Columns = Record<string, AnyColumn>;

/** Every table has an `id` column (string or number): the primary key rows are synced by. */
export type IdColumn = Column<string, string, false, boolean> | Column<number, number, false, boolean>;

export class TableDef<C extends Columns = Columns> {
  readonly columns: C;
  /** Each index is a list of columns (one for a plain index, several for a composite one). */
  readonly indexes: readonly (readonly string[])[];

  constructor(columns: C, indexes: readonly (readonly string[])[] = []) {
    this.columns = columns;
    this.indexes = indexes;
  }

  /** Adds a secondary index: `.index('pageCount')` or composite `.index(['authorId', 'pageCount'])`. */
  index(columns: (keyof C & string) | readonly (keyof C & string)[]): TableDef<C> {
    const cols = typeof columns === 'string' ? [columns] : [...columns];
    return new TableDef(this.columns, [...this.indexes, cols]);
  }
}

export function table<C extends Columns & { id: IdColumn }>(columns: C): TableDef<C> {
  return new TableDef(columns);
}
