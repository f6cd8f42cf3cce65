import type { Condition, Direction, QueryAST } from './ast.js';
import { compareValues, likeToRegExp, valuesEqual } from './compare.js';

export type Row = Readonly<Record<string, unknown>>;
export type Predicate = (row: Row) => boolean;
export type RowComparator = (a: Row, b: Row) => number;

const isNull = (v: unknown): boolean => v === null || v === undefined;

/** Compiles a condition with SQL's three-valued logic collapsed to "unknown is false". */
export function compileCondition(cond: Condition | undefined): Predicate {
  if (!cond) return () => true;
  switch (cond.type) {
    case 'and': {
      const parts = cond.conditions.map(compileCondition);
      return (row) => parts.every((p) => p(row));
    }
    case 'or': {
      const parts = cond.conditions.map(compileCondition);
      return (row) => parts.some((p) => p(row));
    }
    case 'cmp':
      return compileCmp(cond.column, cond.op, cond.value);
  }
}

function compileCmp(col: string, op: string, value: unknown): Predicate {
  switch (op) {
    case '=':
      return (r) => !isNull(r[col]) && !isNull(value) && valuesEqual(r[col], value);
    case '!=':
      return (r) => !isNull(r[col]) && !isNull(value) && !valuesEqual(r[col], value);
    case '<':
      return (r) => !isNull(r[col]) && !isNull(value) && compareValues(r[col], value) < 0;
    case '<=':
      return (r) => !isNull(r[col]) && !isNull(value) && compareValues(r[col], value) <= 0;
    case '>':
      return (r) => !isNull(r[col]) && !isNull(value) && compareValues(r[col], value) > 0;
    case '>=':
      return (r) => !isNull(r[col]) && !isNull(value) && compareValues(r[col], value) >= 0;
    case 'in': {
      const list = (value as readonly unknown[]).filter((v) => !isNull(v));
      const set = new Set(list);
      return (r) => !isNull(r[col]) && (set.has(r[col]) || list.some((v) => valuesEqual(v, r[col])));
    }
    case 'not in': {
      const list = value as readonly unknown[];
      if (list.some(isNull)) return () => false;
      return (r) => !isNull(r[col]) && !list.some((v) => valuesEqual(v, r[col]));
    }
    case 'like': {
      const re = likeToRegExp(String(value));
      return (r) => typeof r[col] === 'string' && re.test(r[col] as string);
    }
    case 'is':
      return (r) => (isNull(value) ? isNull(r[col]) : !isNull(r[col]) && valuesEqual(r[col], value));
    case 'is not':
      return (r) => (isNull(value) ? !isNull(r[col]) : isNull(r[col]) || !valuesEqual(r[col], value));
    default:
      return () => false;
  }
}

/**
 * The total order of a query's rows: its sort keys, then `id` as the tie-breaker, in the direction of
 * the last sort key (ascending when there is none). A total order makes cursors (`start`) and limits
 * stable, and lets an ascending index serve a query sorted all-descending by walking it backwards.
 */
export function rowComparator(orderBy: readonly (readonly [string, Direction])[]): RowComparator {
  const keys = orderBy.map(([col, dir]) => [col, dir === 'desc' ? -1 : 1] as const);
  const idDir = orderBy.length > 0 && orderBy[orderBy.length - 1]![1] === 'desc' ? -1 : 1;
  return (a, b) => {
    for (const [col, sign] of keys) {
      const c = compareValues(a[col], b[col]);
      if (c !== 0) return c * sign;
    }
    return compareValues(a.id, b.id) * idDir;
  };
}

/** The predicate of a query's top level: its `where` plus its `start` cursor. */
export function queryPredicate(ast: QueryAST, cmp: RowComparator): Predicate {
  const where = compileCondition(ast.where);
  const start = ast.start;
  if (!start) return where;
  return start.inclusive
    ? (r) => where(r) && cmp(r, start.row) >= 0
    : (r) => where(r) && cmp(r, start.row) > 0;
}
