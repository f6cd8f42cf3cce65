import { relationshipOf } from '../schema/schema.js';
import { type Condition, type QueryAST, rowLimit } from './ast.js';
import type { Database } from './database.js';
import { planQuery } from './plan.js';
import { queryPredicate, type Row, rowComparator } from './predicate.js';

/**
 * One-shot evaluation of a query over the in-memory tables. Live queries use the same functions for
 * their first result and then maintain it incrementally (live-query.ts).
 */
export function evaluate(db: Database, ast: QueryAST): Row[] {
  return attachRelated(db, ast, evaluateBase(db, ast));
}

/** The top-level rows of a query (no relationships), sorted and limited; `extra` widens the limit. */
export function evaluateBase(db: Database, ast: QueryAST, extra = 0): Row[] {
  const table = db.table(ast.table);
  const cmp = rowComparator(ast.orderBy);
  const pred = queryPredicate(ast, cmp);
  const limit = (rowLimit(ast) ?? Number.POSITIVE_INFINITY) + extra;
  const plan = planQuery(table, ast);
  const out: Row[] = [];
  if (limit <= 0) return out;
  if (plan.ordered) {
    for (const row of plan.rows) {
      if (!pred(row)) continue;
      out.push(row);
      if (out.length >= limit) break;
    }
    return out;
  }
  for (const row of plan.rows) if (pred(row)) out.push(row);
  out.sort(cmp);
  if (out.length > limit) out.length = limit;
  return out;
}

const andWith = (extra: Condition, cond: Condition | undefined): Condition =>
  cond ? { type: 'and', conditions: [extra, cond] } : extra;

/** Adds each `related(...)` result to copies of the rows (the rows themselves stay untouched). */
export function attachRelated(db: Database, ast: QueryAST, rows: readonly Row[]): Row[] {
  if (ast.related.length === 0) return rows as Row[];
  return rows.map((row) => composeRow(db, ast, row));
}

export function composeRow(db: Database, ast: QueryAST, row: Row): Row {
  const out: Record<string, unknown> = { ...row };
  for (const { name, query } of ast.related) {
    const rel = relationshipOf(db.schema, ast.table, name);
    if (rel.kind === 'one') {
      const key = row[rel.field];
      const sub: QueryAST = {
        ...query,
        where: andWith({ type: 'cmp', column: 'id', op: '=', value: key }, query.where),
        single: true,
      };
      out[name] = key === null || key === undefined ? null : (evaluate(db, sub)[0] ?? null);
    } else {
      db.table(rel.table).ensureIndex([rel.field]);
      const sub: QueryAST = {
        ...query,
        where: andWith({ type: 'cmp', column: rel.field, op: '=', value: row.id }, query.where),
      };
      out[name] = Object.freeze(evaluate(db, sub));
    }
  }
  return Object.freeze(out);
}

/** Every table a query reads, its own and those of its relationships (nested). */
export function tablesOf(db: Database, ast: QueryAST, into = new Set<string>()): Set<string> {
  into.add(ast.table);
  for (const { name, query } of ast.related) {
    relationshipOf(db.schema, ast.table, name);
    tablesOf(db, query, into);
  }
  return into;
}
