/**
 * The schema as the server records it in its database (kinds and nullability of every column), and
 * the changes between two such records, each marked destructive or not.
 */
import type { ColumnKind } from '../schema/column.js';
import type { Schema } from '../schema/schema.js';

export interface StoredColumn {
  readonly kind: ColumnKind;
  readonly optional: boolean;
  readonly enumValues?: readonly string[];
}

export interface StoredSchema {
  readonly version: number;
  readonly tables: Readonly<Record<string, Readonly<Record<string, StoredColumn>>>>;
}

export interface SchemaChange {
  readonly description: string;
  readonly destructive: boolean;
}

export function describeSchema(schema: Schema): StoredSchema {
  const tables: Record<string, Record<string, StoredColumn>> = {};
  for (const [name, def] of Object.entries(schema.tables)) {
    const columns: Record<string, StoredColumn> = {};
    for (const [column, spec] of Object.entries(def.columns)) {
      columns[column] = {
        kind: spec.kind,
        optional: spec.isOptional,
        ...(spec.enumValues ? { enumValues: [...spec.enumValues] } : {}),
      };
    }
    tables[name] = columns;
  }
  return { version: schema.version, tables };
}

/** What changes from `from` to `to`. */
export function schemaChanges(from: StoredSchema, to: StoredSchema): SchemaChange[] {
  const out: SchemaChange[] = [];
  const add = (description: string, destructive: boolean) => out.push({ description, destructive });
  for (const [table, columns] of Object.entries(from.tables)) {
    const next = Object.hasOwn(to.tables, table) ? to.tables[table] : undefined;
    if (!next) {
      add(`table "${table}" was dropped or renamed`, true);
      continue;
    }
    for (const [column, old] of Object.entries(columns)) {
      const now = Object.hasOwn(next, column) ? next[column] : undefined;
      if (!now) add(`column "${table}.${column}" was dropped or renamed`, true);
      else if (now.kind !== old.kind)
        add(`column "${table}.${column}" changed from ${old.kind} to ${now.kind}`, true);
      else if (old.optional && !now.optional) add(`column "${table}.${column}" became required`, true);
      if (now?.kind === old.kind && old.enumValues) {
        const kept = now.enumValues ?? [];
        if (old.enumValues.some((v) => !kept.includes(v)))
          add(`enum column "${table}.${column}" lost values`, true);
        else if (kept.some((v) => !old.enumValues?.includes(v)))
          add(`enum column "${table}.${column}" gained values`, false);
      }
      if (now && !old.optional && now.optional) add(`column "${table}.${column}" became optional`, false);
    }
    for (const column of Object.keys(next)) {
      if (!Object.hasOwn(columns, column)) add(`column "${table}.${column}" was added`, false);
    }
  }
  for (const table of Object.keys(to.tables)) {
    if (!Object.hasOwn(from.tables, table)) add(`table "${table}" was added`, false);
  }
  return out;
}
