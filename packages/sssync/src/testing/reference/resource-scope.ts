/**
 * Resources in memory: a requested path matched against the app's patterns (§6.2), and the resource's
 * queries turned into one row predicate per table (their `where`; several queries of a table OR).
 */
import { queryRoot } from '../../mutation/client-tx.js';
import type { QueryRoot } from '../../mutation/transaction.js';
import { decodeResourcePath } from '../../protocol/resource-path.js';
import type { Database } from '../../query/database.js';
import { evaluate } from '../../query/evaluate.js';
import { compileCondition, type Predicate } from '../../query/predicate.js';
import type { Schema } from '../../schema/schema.js';
import type { ResourceDef } from '../../server/options.js';
import { SSSyncError } from '../../util/errors.js';

export interface MatchedResource<S extends Schema> {
  readonly def: ResourceDef<S>;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * The pattern a (valid) path matches, or undefined. Among several, the one with a literal at the first
 * segment where they differ wins (`/items/new` before `/items/:id`).
 */
export function matchResource<S extends Schema>(
  resources: Readonly<Record<string, ResourceDef<S>>>,
  path: string,
): MatchedResource<S> | undefined {
  const segments = decodeResourcePath(path);
  let best: { shape: string; match: MatchedResource<S> } | undefined;
  for (const [pattern, def] of Object.entries(resources)) {
    const parts = pattern.split('/').slice(1);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = Object.create(null);
    const fits = parts.every((part, i) => {
      if (!part.startsWith(':')) return part === segments[i];
      params[part.slice(1)] = segments[i]!;
      return true;
    });
    // '0' (literal) sorts before '1' (parameter): the smallest shape is the most literal at the first difference.
    const shape = parts.map((part) => (part.startsWith(':') ? '1' : '0')).join('');
    if (fits && (best === undefined || shape < best.shape)) best = { shape, match: { def, params } };
  }
  return best?.match;
}

/** What a resource holds for a user now: a predicate per table. Throws what the definition throws. */
export async function resolveScope<S extends Schema>(
  db: Database,
  match: MatchedResource<S>,
  userID: string,
): Promise<Map<string, Predicate>> {
  const query = queryRoot({
    schema: db.schema,
    run: async (ast) => evaluate(db, ast),
    subscribe: () => {
      throw new SSSyncError('INVALID_QUERY', 'A resource definition cannot subscribe; use run().');
    },
  }) as unknown as QueryRoot<S>;
  const result = await match.def({ userID, params: match.params, query });
  const queries = Array.isArray(result) ? result : [result];
  const byTable = new Map<string, Predicate[]>();
  for (const q of queries) {
    const list = byTable.get(q.ast.table) ?? [];
    list.push(compileCondition(q.ast.where));
    byTable.set(q.ast.table, list);
  }
  const scope = new Map<string, Predicate>();
  for (const [table, predicates] of byTable) scope.set(table, (row) => predicates.some((p) => p(row)));
  return scope;
}
