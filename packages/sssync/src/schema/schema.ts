import { SSSyncError } from '../util/errors.js';
import type { Migrations } from './migration.js';
import type { Relationship } from './relationship.js';
import type { TableDef } from './table.js';

export type Tables = Record<string, TableDef>;
export type Relationships<T extends Tables> = {
  readonly [K in keyof T]?: Readonly<Record<string, Relationship>>;
};

export interface Schema<T extends Tables = Tables, R extends Relationships<T> = Relationships<T>> {
  readonly version: number;
  readonly tables: T;
  readonly relationships: R;
  readonly migrations: Migrations;
}

export interface SchemaInput<T extends Tables, R extends Relationships<T>> {
  /** A positive integer; raise it when the schema changes (and add `migrations` for stored data). */
  version: number;
  tables: T;
  relationships?: R;
  migrations?: Migrations;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Properties of a mutator's transaction (see mutation/transaction.ts), so no table may use them. */
const RESERVED = ['query', 'clientID', 'mutationID', 'location', 'reason'];

export function defineSchema<const T extends Tables, const R extends Relationships<T> = Record<never, never>>(
  input: SchemaInput<T, R>,
): Schema<T, R> {
  const fail = (msg: string): never => {
    throw new SSSyncError('INVALID_SCHEMA', `Invalid schema: ${msg}`);
  };
  if (!Number.isInteger(input.version) || input.version < 1) fail('`version` must be a positive integer.');
  for (const [name, def] of Object.entries(input.tables)) {
    if (!NAME.test(name)) fail(`table name "${name}" must be an identifier (letters, digits, _).`);
    if (RESERVED.includes(name)) fail(`"${name}" cannot be a table name: it is a property of transactions.`);
    if (!def.columns.id) fail(`table "${name}" needs an \`id\` column (string or number).`);
    const idKind = def.columns.id?.kind;
    if (idKind !== 'string' && idKind !== 'number')
      fail(`the \`id\` of table "${name}" must be string or number.`);
    if (def.columns.id?.isOptional) fail(`the \`id\` of table "${name}" cannot be optional.`);
    for (const col of Object.keys(def.columns)) {
      if (!NAME.test(col)) fail(`column "${name}.${col}" must be an identifier (letters, digits, _).`);
    }
    for (const index of def.indexes) {
      for (const col of index) {
        if (!(col in def.columns)) fail(`index on unknown column "${name}.${col}".`);
      }
    }
  }
  const relationships = (input.relationships ?? {}) as R;
  for (const [source, rels] of Object.entries(
    relationships as Record<string, Record<string, Relationship>>,
  )) {
    const sourceDef = input.tables[source];
    if (!sourceDef) fail(`relationships given for unknown table "${source}".`);
    for (const [relName, rel] of Object.entries(rels ?? {})) {
      const target = input.tables[rel.table];
      if (!target) fail(`relationship "${source}.${relName}" points at unknown table "${rel.table}".`);
      if (relName in (sourceDef?.columns ?? {}))
        fail(`relationship "${source}.${relName}" has a column's name.`);
      const holder = rel.kind === 'one' ? sourceDef : target;
      const holderName = rel.kind === 'one' ? source : rel.table;
      if (!(rel.field in (holder?.columns ?? {}))) {
        fail(`relationship "${source}.${relName}" uses unknown column "${holderName}.${rel.field}".`);
      }
    }
  }
  for (const key of Object.keys(input.migrations ?? {})) {
    const v = Number(key);
    if (!Number.isInteger(v) || v < 2 || v > input.version) {
      fail(`migration key ${key} must be a version between 2 and ${input.version}.`);
    }
  }
  return {
    version: input.version,
    tables: input.tables,
    relationships,
    migrations: input.migrations ?? {},
  };
}

export function tableDef(schema: Schema, name: string): TableDef {
  const def = Object.hasOwn(schema.tables, name) ? schema.tables[name] : undefined;
  if (!def) throw new SSSyncError('UNKNOWN_TABLE', `Unknown table "${name}": it is not in the schema.`);
  return def;
}

export function relationshipOf(schema: Schema, table: string, name: string): Relationship {
  const rels = (schema.relationships as Record<string, Record<string, Relationship> | undefined>)[table];
  const rel = rels && Object.hasOwn(rels, name) ? rels[name] : undefined;
  if (!rel) {
    throw new SSSyncError(
      'UNKNOWN_RELATIONSHIP',
      `Unknown relationship "${name}" on table "${table}": declare it in the schema's relationships.`,
    );
  }
  return rel;
}
