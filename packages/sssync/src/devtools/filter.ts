import type { Operator } from '../query/ast.js';
import type { ColumnKind } from '../schema/column.js';

/** The operators the filter bar offers (all of the query builder's). */
export const FILTER_OPERATORS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'like',
  'in',
  'not in',
  'is',
  'is not',
] as const satisfies readonly Operator[];

export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Whether the operator takes a value typed in (`is` / `is not` compare with null). */
export const takesValue = (op: FilterOperator): boolean => op !== 'is' && op !== 'is not';

/**
 * Turns the text typed in the filter bar into the value `where(column, op, value)` takes, by the
 * column's kind: numbers for number columns, `true`/`false` for booleans, a comma-separated list for
 * `in`. Throws a message for the user when the text cannot be that.
 */
export function parseFilterValue(kind: ColumnKind, op: FilterOperator, text: string): unknown {
  if (!takesValue(op)) return null;
  if (op === 'in' || op === 'not in') {
    return text.trim() === '' ? [] : text.split(',').map((t) => scalar(kind, t.trim()));
  }
  if (op === 'like') return text;
  return scalar(kind, text);
}

function scalar(kind: ColumnKind, text: string): unknown {
  if (text === 'null') return null;
  switch (kind) {
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`"${text}" is not a number.`);
      return n;
    }
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      throw new Error(`"${text}" is not true or false.`);
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}
