import type { Schema } from '../schema/schema.js';
import type { Condition, Direction, QueryAST } from './ast.js';

/**
 * A deliberately naive evaluator that the property tests compare the engine with. It shares no code
 * with the engine (no plans, no indexes, no incremental state): filter every row with a direct reading
 * of the condition tree, sort with a plain comparator, cut at the cursor and the limit. Keep it slow and
 * obvious; it is the specification. Not exported from the package.
 */
export type ReferenceRow = Readonly<Record<string, unknown>>;
export type ReferenceTables = Readonly<Record<string, readonly ReferenceRow[]>>;

const isNull = (v: unknown): boolean => v === null || v === undefined;

/** Strings order by code point, as SQL's binary collation orders their UTF-8 bytes. */
function compareStrings(a: string, b: string): number {
  const x = Array.from(a, (ch) => ch.codePointAt(0)!);
  const y = Array.from(b, (ch) => ch.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

/** Sort order of two values of one column: null first, then false < true, numbers, strings. */
export function referenceCompare(a: unknown, b: unknown): number {
  if (isNull(a) && isNull(b)) return 0;
  if (isNull(a)) return -1;
  if (isNull(b)) return 1;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error(`reference: cannot compare ${String(a)} with ${String(b)}`);
}

const equal = (a: unknown, b: unknown): boolean => referenceCompare(a, b) === 0;

/** SQL LIKE over code points: `%` any run, `_` one character, `\` makes the next character literal. */
export function referenceLike(value: string, pattern: string): boolean {
  const s = Array.from(value);
  const p = Array.from(pattern);
  const memo = new Map<string, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (j === p.length) result = i === s.length;
    else if (p[j] === '%') result = match(i, j + 1) || (i < s.length && match(i + 1, j));
    else if (p[j] === '_') result = i < s.length && match(i + 1, j + 1);
    else if (p[j] === '\\' && j + 1 < p.length) result = s[i] === p[j + 1] && match(i + 1, j + 2);
    else result = s[i] === p[j] && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

/** Whether `row` satisfies `cond`; SQL's "unknown" (any comparison with null) counts as false. */
export function referenceMatches(row: ReferenceRow, cond: Condition | undefined): boolean {
  if (cond === undefined) return true;
  if (cond.type === 'and') return cond.conditions.every((c) => referenceMatches(row, c));
  if (cond.type === 'or') return cond.conditions.some((c) => referenceMatches(row, c));
  const x = row[cond.column];
  const v = cond.value;
  switch (cond.op) {
    case 'is':
      return isNull(v) ? isNull(x) : !isNull(x) && equal(x, v);
    case 'is not':
      return !referenceMatches(row, { ...cond, op: 'is' });
    case 'in':
      return !isNull(x) && (v as unknown[]).some((item) => !isNull(item) && equal(x, item));
    case 'not in': {
      const list = v as unknown[];
      return !isNull(x) && !list.some(isNull) && !list.some((item) => equal(x, item));
    }
    case 'like':
      return typeof x === 'string' && referenceLike(x, v as string);
  }
  if (isNull(x) || isNull(v)) return false;
  const c = referenceCompare(x, v);
  switch (cond.op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
  throw new Error(`reference: unknown operator ${String(cond.op)}`);
}

/** The total order of a query: its sort keys, then id in the direction of the last key (asc if none). */
export function referenceOrder(
  orderBy: readonly (readonly [string, Direction])[],
): (a: ReferenceRow, b: ReferenceRow) => number {
  return (a, b) => {
    for (const [column, direction] of orderBy) {
      const c = referenceCompare(a[column], b[column]);
      if (c !== 0) return direction === 'asc' ? c : -c;
    }
    const last = orderBy[orderBy.length - 1];
    const c = referenceCompare(a.id, b.id);
    return last?.[1] === 'desc' ? -c : c;
  };
}

/** The rows of `ast` over `tables`, relationships attached, as the engine should give them. */
export function referenceEvaluate(schema: Schema, tables: ReferenceTables, ast: QueryAST): ReferenceRow[] {
  return selectRows(tables, ast).map((row) => attach(schema, tables, ast, row));
}

function selectRows(tables: ReferenceTables, ast: QueryAST): ReferenceRow[] {
  const order = referenceOrder(ast.orderBy);
  let rows = (tables[ast.table] ?? []).filter((row) => referenceMatches(row, ast.where));
  rows.sort(order);
  const start = ast.start;
  if (start) {
    rows = rows.filter((row) => (start.inclusive ? order(row, start.row) >= 0 : order(row, start.row) > 0));
  }
  if (ast.limit !== undefined) rows = rows.slice(0, ast.limit);
  if (ast.single) rows = rows.slice(0, 1);
  return rows;
}

function attach(schema: Schema, tables: ReferenceTables, ast: QueryAST, row: ReferenceRow): ReferenceRow {
  if (ast.related.length === 0) return row;
  const out: Record<string, unknown> = { ...row };
  for (const { name, query } of ast.related) {
    const rel = schema.relationships[ast.table]?.[name];
    if (!rel) throw new Error(`reference: no relationship ${ast.table}.${name}`);
    const targets = tables[rel.table] ?? [];
    // Relationships ignore `start` and `single` of their sub-query: a `one` is the first match or null.
    const sub = { ...query, start: undefined, single: false };
    if (rel.kind === 'one') {
      const key = row[rel.field];
      const candidates = isNull(key) ? [] : targets.filter((t) => equal(t.id, key));
      const [first] = selectRows({ [rel.table]: candidates }, sub);
      out[name] = first ? attach(schema, tables, query, first) : null;
    } else {
      const candidates = targets.filter((t) => !isNull(t[rel.field]) && equal(t[rel.field], row.id));
      out[name] = selectRows({ [rel.table]: candidates }, sub).map((t) => attach(schema, tables, query, t));
    }
  }
  return out;
}
