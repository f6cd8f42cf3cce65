import type { QueryAST } from './ast.js';
import type { Change, Database } from './database.js';
import { diffById, LiveQuery, type ResultChange } from './live-query.js';
import type { Row } from './predicate.js';

type Listener = (rows: readonly Row[]) => void;
type ChangeListener = (changes: readonly ResultChange[]) => void;

interface Entry {
  live: LiveQuery;
  listeners: Set<Listener>;
  changeListeners: Set<ChangeListener>;
}

/**
 * The live queries of one client. Subscribers of the same query share one LiveQuery. After a commit,
 * every affected query is updated first and listeners are called after, once per commit, so no
 * subscriber sees a state another has not been told about yet.
 */
export class LiveSet {
  private readonly db: Database;
  private readonly queries = new Map<string, Entry>();

  constructor(db: Database) {
    this.db = db;
  }

  /** Calls `listener` with the result now, then after every commit that changes it. */
  subscribe(ast: QueryAST, listener: Listener): () => void {
    const wrapped: Listener = (rows) => listener(rows);
    const { entry, release } = this.join(ast, (e) => e.listeners.add(wrapped));
    wrapped(entry.live.rows);
    return release(() => entry.listeners.delete(wrapped));
  }

  /**
   * Calls `listener` with every row of the result now (as inserts), then with what each commit
   * changed in it. A query followed this way only never copies its result per commit.
   */
  subscribeChanges(ast: QueryAST, listener: ChangeListener): () => void {
    const wrapped: ChangeListener = (changes) => listener(changes);
    const { entry, release } = this.join(ast, (e) => e.changeListeners.add(wrapped));
    entry.live.trackChanges = true;
    wrapped(entry.live.rows.map((row): ResultChange => ({ type: 'insert', row })));
    return release(() => {
      entry.changeListeners.delete(wrapped);
      if (entry.changeListeners.size === 0) entry.live.trackChanges = false;
    });
  }

  get size(): number {
    return this.queries.size;
  }

  /** Updates every query touched by `changes`, then notifies; a throwing listener doesn't stop others. */
  notify(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    const touched = new Set<string>();
    for (const c of changes) touched.add(c.table);
    const due: (() => void)[] = [];
    for (const e of this.queries.values()) {
      const { live } = e;
      if (![...live.tables].some((t) => touched.has(t)) || !live.update(changes)) continue;
      // What each listener gets is taken now, before any is called (a listener may commit again).
      if (e.listeners.size > 0) due.push(deliver([...e.listeners], live.rows));
      if (e.changeListeners.size > 0) due.push(deliver([...e.changeListeners], live.changes));
    }
    for (const call of due) call();
  }

  /** After a wholesale reload (migration, reset): recompute everything. */
  resetAll(): void {
    for (const entry of this.queries.values()) {
      const live = new LiveQuery(this.db, entry.live.ast);
      const changes = entry.changeListeners.size > 0 ? diffById(entry.live.rows, live.rows) : [];
      live.trackChanges = entry.live.trackChanges;
      entry.live = live;
      for (const l of entry.listeners) l(live.rows);
      if (changes.length > 0) for (const l of entry.changeListeners) l(changes);
    }
  }

  /** The query's shared entry with a listener added by `add`; `release` removes it (and the entry once unused). */
  private join(ast: QueryAST, add: (e: Entry) => void) {
    const key = queryKey(ast);
    let entry = this.queries.get(key);
    if (!entry) {
      entry = { live: new LiveQuery(this.db, ast), listeners: new Set(), changeListeners: new Set() };
      this.queries.set(key, entry);
    }
    const e = entry;
    add(e);
    return {
      entry: e,
      release: (remove: () => void) => () => {
        remove();
        if (e.listeners.size === 0 && e.changeListeners.size === 0 && this.queries.get(key) === e)
          this.queries.delete(key);
      },
    };
  }
}

/** Calls each listener with `value`; a throwing listener is reported and doesn't stop the others. */
function deliver<T>(listeners: readonly ((value: T) => void)[], value: T): () => void {
  return () => {
    for (const l of listeners) {
      try {
        l(value);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  };
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
