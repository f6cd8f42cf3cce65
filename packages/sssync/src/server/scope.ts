/**
 * A resource's scope: per table, the conditions whose rows it holds (the `where` of each query the
 * resource returned; several queries on one table add up). Its fingerprint goes into cursors, so a
 * cursor taken under another scope (the user's permissions changed, the app's code changed) is not
 * used for an incremental pull: that pull becomes a full load, which removes what left the scope.
 */
import type { Condition } from '../query/ast.js';
import { compileCondition, type Predicate } from '../query/predicate.js';
import type { Query } from '../query/query.js';

export interface TableScope {
  readonly conditions: readonly (Condition | undefined)[];
  readonly holds: Predicate;
}

export interface Scope {
  /** Sorted by table name: the order pulls page in. */
  readonly tables: ReadonlyMap<string, TableScope>;
  readonly fingerprint: string;
}

type AnyQuery = Query<any, any, any, any>;

export function scopeOf(queries: AnyQuery | readonly AnyQuery[]): Scope {
  const list: readonly AnyQuery[] = Array.isArray(queries) ? queries : [queries as AnyQuery];
  const byTable = new Map<string, (Condition | undefined)[]>();
  for (const q of list) {
    const conditions = byTable.get(q.ast.table) ?? [];
    conditions.push(q.ast.where);
    byTable.set(q.ast.table, conditions);
  }
  const names = [...byTable.keys()].sort();
  const tables = new Map<string, TableScope>();
  for (const name of names) {
    const conditions = byTable.get(name)!;
    const predicates = conditions.map(compileCondition);
    tables.set(name, { conditions, holds: (row) => predicates.some((p) => p(row)) });
  }
  const fingerprint = hash(JSON.stringify(names.map((n) => [n, byTable.get(n)])));
  return { tables, fingerprint };
}

/** cyrb53: a fast 53-bit string hash, in base 36. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
