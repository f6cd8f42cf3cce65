/** Types inferred from a schema: rows, inserts, updates, relationship targets. */
import type { Column } from './column.js';
import type { ManyRelationship, OneRelationship } from './relationship.js';
import type { Schema, Tables } from './schema.js';
import type { Columns, TableDef } from './table.js';

export type Simplify<T> = { [K in keyof T]: T[K] } & {};

type ColType<C> = C extends Column<infer T, any, any, any> ? T : never;
type ColInput<C> = C extends Column<any, infer I, any, any> ? I : never;
type ColumnsOf<D> = D extends TableDef<infer C> ? C : never;

export type RowOfColumns<C extends Columns> = { readonly [K in keyof C]: ColType<C[K]> };

type RequiredInsertKeys<C extends Columns> = {
  [K in keyof C]: C[K] extends Column<any, any, infer O, infer D>
    ? O extends true
      ? never
      : D extends true
        ? never
        : K
    : never;
}[keyof C];

export type InsertOfColumns<C extends Columns> = Simplify<
  { [K in RequiredInsertKeys<C>]: ColInput<C[K]> } & {
    [K in Exclude<keyof C, RequiredInsertKeys<C>>]?: ColInput<C[K]>;
  }
>;

export type UpdateOfColumns<C extends Columns> = Simplify<
  { id: ColType<C['id']> } & { [K in Exclude<keyof C, 'id'>]?: ColInput<C[K]> }
>;

export type TableName<S extends Schema> = keyof S['tables'] & string;

/** A row of table `T` as queries return it. */
export type Row<S extends Schema, T extends TableName<S>> = Simplify<RowOfColumns<ColumnsOf<S['tables'][T]>>>;
export type InsertRow<S extends Schema, T extends TableName<S>> = InsertOfColumns<ColumnsOf<S['tables'][T]>>;
export type UpdateRow<S extends Schema, T extends TableName<S>> = UpdateOfColumns<ColumnsOf<S['tables'][T]>>;
export type RowId<S extends Schema, T extends TableName<S>> = Row<S, T>['id' & keyof Row<S, T>];

type NoRelationships = Record<never, never>;

export type RelationshipsOf<S extends Schema, T extends TableName<S>> = S['relationships'] extends infer R
  ? R extends Record<string, unknown>
    ? T extends keyof R
      ? NonNullable<R[T]>
      : NoRelationships
    : NoRelationships
  : NoRelationships;

export type RelationshipName<S extends Schema, T extends TableName<S>> = keyof RelationshipsOf<S, T> & string;

export type RelationshipTarget<S extends Schema, T extends TableName<S>, N extends string> = RelationshipsOf<
  S,
  T
>[N & keyof RelationshipsOf<S, T>] extends { table: infer X }
  ? X & TableName<S>
  : never;

export type RelationshipKind<S extends Schema, T extends TableName<S>, N extends string> = RelationshipsOf<
  S,
  T
>[N & keyof RelationshipsOf<S, T>] extends OneRelationship
  ? 'one'
  : RelationshipsOf<S, T>[N & keyof RelationshipsOf<S, T>] extends ManyRelationship
    ? 'many'
    : never;

export type AnyTables = Tables;
