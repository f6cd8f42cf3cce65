import type { Condition, QueryAST } from './ast.js';
import { compareValues } from './compare.js';
import type { TableData } from './database.js';
import type { Row } from './predicate.js';
import type { SortedIndex } from './sorted-index.js';

/**
 * Picks where the rows of a query come from: the primary key, an index range, an index walked in
 * sort order (so a sorted, limited query stops early), or a full scan. The caller still filters by
 * the whole predicate; a plan only narrows the candidates.
 */
export interface Plan {
  readonly rows: Iterable<Row>;
  /** True when `rows` come out in the query's total order already. */
  readonly ordered: boolean;
}

type Cmp = Extract<Condition, { type: 'cmp' }>;

function topLevelCmps(cond: Condition | undefined): Cmp[] {
  if (!cond) return [];
  if (cond.type === 'cmp') return [cond];
  if (cond.type === 'and') return cond.conditions.flatMap(topLevelCmps);
  return [];
}

const isNull = (v: unknown): boolean => v === null || v === undefined;

export function planQuery(table: TableData, ast: QueryAST): Plan {
  const cmps = topLevelCmps(ast.where);
  const byId = cmps.find((c) => c.column === 'id' && (c.op === '=' || c.op === 'in'));
  if (byId) {
    const ids = byId.op === '=' ? [byId.value] : [...new Set(byId.value as unknown[])];
    return { rows: ids.map((id) => table.get(id)).filter((r): r is Row => r !== undefined), ordered: false };
  }
  for (const index of table.allIndexes()) {
    const col = index.columns[0]!;
    const eq = cmps.find((c) => c.column === col && (c.op === '=' || c.op === 'in' || c.op === 'is'));
    if (eq) {
      const values = eq.op === 'in' ? [...new Set(eq.value as unknown[])] : [eq.value];
      if (eq.op !== 'is' && values.every(isNull)) return { rows: [], ordered: false };
      return { rows: equalRows(index, values.sort(compareValues)), ordered: false };
    }
  }
  for (const index of table.allIndexes()) {
    const col = index.columns[0]!;
    const range = cmps.filter((c) => c.column === col && ['<', '<=', '>', '>='].includes(c.op));
    if (range.length > 0) {
      if (range.some((c) => isNull(c.value))) return { rows: [], ordered: false };
      return { rows: rangeRows(index, range), ordered: false };
    }
  }
  const walk = orderIndex(table, ast);
  if (walk) return walk;
  return { rows: table.rows.values(), ordered: false };
}

function* equalRows(index: SortedIndex, values: readonly unknown[]): Generator<Row> {
  for (const v of values) {
    for (const row of index.scan((r) => index.comparePrefix(r, [v]))) {
      if (index.comparePrefix(row, [v]) !== 0) break;
      yield row;
    }
  }
}

function* rangeRows(index: SortedIndex, range: readonly Cmp[]): Generator<Row> {
  let lower: Cmp | undefined;
  let upper: Cmp | undefined;
  for (const c of range) {
    if (c.op === '>' || c.op === '>=') {
      if (!lower || compareValues(c.value, lower.value) > 0 || (c.op === '>' && c.value === lower.value))
        lower = c;
    } else if (
      !upper ||
      compareValues(c.value, upper.value) < 0 ||
      (c.op === '<' && c.value === upper.value)
    ) {
      upper = c;
    }
  }
  // Nulls sort first but never satisfy a comparison: start past them.
  const from = lower
    ? index.scan((r) => index.comparePrefix(r, [lower.value]), { strict: lower.op === '>' })
    : index.scan((r) => (isNull(r[index.columns[0]!]) ? -1 : 0));
  for (const row of from) {
    if (upper) {
      const c = index.comparePrefix(row, [upper.value]);
      if (c > 0 || (c === 0 && upper.op === '<')) return;
    }
    yield row;
  }
}

/**
 * An index whose columns are exactly the sort keys, all in one direction, gives the rows in the
 * query's total order (sort keys, then id in the last key's direction): walk it forwards or backwards,
 * from the `start` cursor if there is one.
 */
export function orderIndex(table: TableData, ast: QueryAST): Plan | undefined {
  if (ast.orderBy.length === 0) return undefined;
  const dir = ast.orderBy[0]![1];
  if (ast.orderBy.some(([, d]) => d !== dir)) return undefined;
  const index = table.findIndex(ast.orderBy.map(([c]) => c));
  if (!index) return undefined;
  const reverse = dir === 'desc';
  const start = ast.start;
  const rows = start
    ? index.scan((r) => index.compare(r, start.row), { strict: !start.inclusive, reverse })
    : index.scan(undefined, { reverse });
  return { rows, ordered: true };
}

/** Rows that come after `last` in the query's total order, from the order index. */
export function rowsAfter(table: TableData, ast: QueryAST, last: Row): Iterable<Row> | undefined {
  return orderIndex(table, { ...ast, start: { row: last, inclusive: false } })?.rows;
}
