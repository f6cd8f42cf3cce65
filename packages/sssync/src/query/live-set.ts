import type { QueryAST } from './ast.js';
import type { Change, Database } from './database.js';
import { LiveQuery } from './live-query.js';
import type { Row } from './predicate.js';

type Listener = (rows: readonly Row[]) => void;

/**
 * The live queries of one client. Subscribers of the same query share one LiveQuery. After a commit,
 * every affected query is updated first and listeners are called after, once per commit, so no
 * subscriber sees a state another has not been told about yet.
 */
export class LiveSet {
  private readonly db: Database;
  private readonly queries = new Map<string, { live: LiveQuery; listeners: Set<Listener> }>();

  constructor(db: Database) {
    this.db = db;
  }

  subscribe(ast: QueryAST, listener: Listener): () => void {
    const key = queryKey(ast);
    let entry = this.queries.get(key);
    if (!entry) {
      entry = { live: new LiveQuery(this.db, ast), listeners: new Set() };
      this.queries.set(key, entry);
    }
    const e = entry;
    const wrapped: Listener = (rows) => listener(rows);
    e.listeners.add(wrapped);
    wrapped(e.live.rows);
    return () => {
      e.listeners.delete(wrapped);
      if (e.listeners.size === 0 && this.queries.get(key) === e) this.queries.delete(key);
    };
  }

  get size(): number {
    return this.queries.size;
  }

  /** Updates every query touched by `changes`, then notifies; a throwing listener doesn't stop others. */
  notify(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    const touched = new Set<string>();
    for (const c of changes) touched.add(c.table);
    const due: { rows: readonly Row[]; listeners: Listener[] }[] = [];
    for (const { live, listeners } of this.queries.values()) {
      if (![...live.tables].some((t) => touched.has(t))) continue;
      if (live.update(changes)) due.push({ rows: live.rows, listeners: [...listeners] });
    }
    for (const { rows, listeners } of due) {
      for (const l of listeners) {
        try {
          l(rows);
        } catch (e) {
          queueMicrotask(() => {
            throw e;
          });
        }
      }
    }
  }

  /** After a wholesale reload (migration, reset): recompute everything. */
  resetAll(): void {
    for (const [key, entry] of this.queries) {
      const live = new LiveQuery(this.db, entry.live.ast);
      this.queries.set(key, { live, listeners: entry.listeners });
      for (const l of entry.listeners) l(live.rows);
    }
  }
}

/**
 * Equal keys for equal queries only. Plain JSON would write `Infinity` (a valid operand) as `null`,
 * so `n < Infinity` and `n < null` would share one live query: tag non-finite numbers, and escape
 * strings that could pass for a tag.
 */
function queryKey(ast: QueryAST): string {
  return JSON.stringify(ast, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return `\u0000${String(v)}`;
    if (typeof v === 'string' && v.startsWith('\u0000')) return `\u0000${v}`;
    return v;
  });
}
