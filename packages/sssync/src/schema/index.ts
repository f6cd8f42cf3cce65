/** schema/: the central schema — columns, tables, relationships, migrations and the types they infer. */
export { type AnyColumn, Column, type ColumnKind, type ColumnSpec, c } from './column.js';
export { type MigrationStep, type Migrations, migrate, runMigrations, type StoredRow } from './migration.js';
export { type ManyRelationship, many, type OneRelationship, one, type Relationship } from './relationship.js';
export {
  defineSchema,
  type Relationships,
  relationshipOf,
  type Schema,
  type Tables,
  tableDef,
} from './schema.js';
export { type Columns, TableDef, table } from './table.js';
export type * from './types.js';
export {
  checkStoredRow,
  normalizeInsert,
  normalizeUpdate,
  normalizeValue,
  type RowRecord,
} from './validate-row.js';
