/**
 * Local migrations: steps that bring rows stored under an older schema version up to the current one.
 * They run over the stored rows when a store written by an older version is opened, before any query.
 */
export type StoredRow = Record<string, unknown>;

export type MigrationStep =
  | { readonly op: 'addColumn'; readonly table: string; readonly column: string; readonly value: unknown }
  | { readonly op: 'renameColumn'; readonly table: string; readonly from: string; readonly to: string }
  | { readonly op: 'dropColumn'; readonly table: string; readonly column: string }
  | { readonly op: 'transform'; readonly table: string; readonly fn: (row: StoredRow) => StoredRow }
  | { readonly op: 'dropTable'; readonly table: string }
  | { readonly op: 'renameTable'; readonly from: string; readonly to: string };

/** `migrations` in `defineSchema` maps the version a step list leads *to* onto its steps. */
export type Migrations = Readonly<Record<number, readonly MigrationStep[]>>;

export const migrate = {
  /** Adds a column; `value` is its value for existing rows, or a function of the row. */
  addColumn: (table: string, column: string, value: unknown): MigrationStep => ({
    op: 'addColumn',
    table,
    column,
    value,
  }),
  renameColumn: (table: string, from: string, to: string): MigrationStep => ({
    op: 'renameColumn',
    table,
    from,
    to,
  }),
  dropColumn: (table: string, column: string): MigrationStep => ({ op: 'dropColumn', table, column }),
  /** Rewrites each row of a table; return the new row (it must keep its `id`). */
  transform: (table: string, fn: (row: StoredRow) => StoredRow): MigrationStep => ({
    op: 'transform',
    table,
    fn,
  }),
  dropTable: (table: string): MigrationStep => ({ op: 'dropTable', table }),
  renameTable: (from: string, to: string): MigrationStep => ({ op: 'renameTable', from, to }),
};

/**
 * Applies the steps of every version in (fromVersion, toVersion] to `tables` (table name → rows),
 * returning new row lists; the input is not modified. Throws whatever a step throws.
 */
export function runMigrations(
  migrations: Migrations,
  fromVersion: number,
  toVersion: number,
  tables: ReadonlyMap<string, readonly StoredRow[]>,
): Map<string, StoredRow[]> {
  const out = new Map<string, StoredRow[]>();
  for (const [name, rows] of tables)
    out.set(
      name,
      rows.map((r) => ({ ...r })),
    );
  for (let v = fromVersion + 1; v <= toVersion; v++) {
    for (const step of migrations[v] ?? []) applyStep(step, out);
  }
  return out;
}

function applyStep(step: MigrationStep, tables: Map<string, StoredRow[]>): void {
  switch (step.op) {
    case 'addColumn': {
      for (const row of tables.get(step.table) ?? []) {
        if (!(step.column in row)) {
          row[step.column] =
            typeof step.value === 'function' ? (step.value as (r: StoredRow) => unknown)(row) : step.value;
        }
      }
      return;
    }
    case 'renameColumn': {
      for (const row of tables.get(step.table) ?? []) {
        if (step.from in row) {
          row[step.to] = row[step.from];
          delete row[step.from];
        }
      }
      return;
    }
    case 'dropColumn': {
      for (const row of tables.get(step.table) ?? []) delete row[step.column];
      return;
    }
    case 'transform': {
      const rows = tables.get(step.table);
      if (!rows) return;
      tables.set(
        step.table,
        rows.map((row) => {
          const next = step.fn({ ...row });
          if (next === null || typeof next !== 'object' || next.id !== row.id) {
            throw new Error(`transform of table "${step.table}" must return a row with the same id`);
          }
          return next;
        }),
      );
      return;
    }
    case 'dropTable': {
      tables.delete(step.table);
      return;
    }
    case 'renameTable': {
      const rows = tables.get(step.from);
      tables.delete(step.from);
      if (rows) tables.set(step.to, [...(tables.get(step.to) ?? []), ...rows]);
      return;
    }
  }
}
