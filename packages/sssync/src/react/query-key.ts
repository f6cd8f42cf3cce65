import type { QueryAST } from '../query/ast.js';

/**
 * A query's value as a string: equal for equal queries only. Plain JSON writes `Infinity` and
 * `-Infinity` (valid operands) as `null`, so non-finite numbers are tagged, and strings that could
 * pass for a tag are escaped.
 */
export function queryKey(ast: QueryAST): string {
  return JSON.stringify(ast, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return `\u0000${String(v)}`;
    if (typeof v === 'string' && v.startsWith('\u0000')) return `\u0000${v}`;
    return v;
  });
}
