/**
 * A query's `where` as SQL, used only to narrow what the server reads: the rows it returns are a
 * superset of the rows the condition holds for, and the condition itself (`compileCondition`, the
 * same code the client runs) decides. So SQL never has to match the client's semantics exactly:
 * what it cannot express faithfully on a database (JSON values, string order on MySQL, whose
 * binary collation pads spaces) it leaves out, which only widens the read.
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Condition } from '../query/ast.js';
import type { ColumnSpec } from '../schema/column.js';
import type { TableDef } from '../schema/table.js';
import type { SqlDialect } from './database.js';
import { encodeValue } from './sql-schema.js';

type EB = ExpressionBuilder<any, any>;

const TEXT_KINDS = new Set(['string', 'enum', 'date']);
type Filter = Expression<SqlBool>;

/** Whether SQL can compare `value` with a column of this kind (else the database might refuse it). */
export const fits = (spec: Pick<ColumnSpec, 'kind'>, value: unknown): boolean => {
  switch (spec.kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'json':
      return false;
    default:
      return typeof value === 'string';
  }
};

/**
 * The longest `in` list put into SQL where a statement may bind only `maxParameters` values (D1):
 * a quarter of them, so that a few such lists and the server's own parameters still fit.
 */
export const maxInList = (maxParameters: number | undefined): number =>
  maxParameters === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(maxParameters / 4));

/**
 * The SQL form of `cond` over `def`'s columns, or `undefined` when it cannot narrow anything. `in`
 * lists longer than `maxIn` are left out (see `maxInList`).
 */
export function sqlFilter(
  eb: EB,
  dialect: SqlDialect,
  def: TableDef,
  cond: Condition | undefined,
  maxIn = Number.POSITIVE_INFINITY,
): Filter | undefined {
  if (!cond) return undefined;
  if (cond.type === 'and') {
    const parts = cond.conditions
      .map((c) => sqlFilter(eb, dialect, def, c, maxIn))
      .filter((p) => p !== undefined);
    return parts.length === 0 ? undefined : eb.and(parts);
  }
  if (cond.type === 'or') {
    const parts = cond.conditions.map((c) => sqlFilter(eb, dialect, def, c, maxIn));
    if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
    return eb.or(parts as Filter[]);
  }
  const spec = Object.hasOwn(def.columns, cond.column) ? def.columns[cond.column] : undefined;
  if (!spec) return undefined;
  const col = eb.ref(cond.column);
  const exactOrder = !(dialect === 'mysql' && spec.kind !== 'number' && spec.kind !== 'boolean');
  const bind = (v: unknown) => encodeValue(dialect, spec, v);
  switch (cond.op) {
    case '=':
      return fits(spec, cond.value) ? eb(col, '=', bind(cond.value)) : undefined;
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return fits(spec, cond.value) && exactOrder ? eb(col, cond.op, bind(cond.value)) : undefined;
    case 'in': {
      const values = cond.value as readonly unknown[];
      if (values.length === 0 || values.length > maxIn || !values.every((v) => fits(spec, v)))
        return undefined;
      return eb(col, 'in', values.map(bind));
    }
    case 'like':
      if (!TEXT_KINDS.has(spec.kind) || typeof cond.value !== 'string') return undefined;
      return sql<SqlBool>`${col} like ${cond.value} escape ${'\\'}`;
    case 'is':
      return cond.value === null ? eb(col, 'is', null) : undefined;
    case 'is not':
      return cond.value === null ? eb(col, 'is not', null) : undefined;
    default:
      return undefined;
  }
}

/** Rows matching any of `conditions` (`undefined` in the list: the whole table). */
export function anyOf(
  eb: EB,
  dialect: SqlDialect,
  def: TableDef,
  conditions: readonly (Condition | undefined)[],
  maxIn = Number.POSITIVE_INFINITY,
): Filter | undefined {
  const parts = conditions.map((c) => sqlFilter(eb, dialect, def, c, maxIn));
  if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
  return parts.length === 1 ? parts[0] : eb.or(parts as Filter[]);
}
