import { type QueryAST, rowLimit } from './ast.js';
import { valuesEqual } from './compare.js';
import type { Change, Database, RowId, TableData } from './database.js';
import { composeRow, evaluateBase, tablesOf } from './evaluate.js';
import { orderIndex, rowsAfter } from './plan.js';
import { type Predicate, queryPredicate, type Row, type RowComparator, rowComparator } from './predicate.js';

/** Past this many changes to its table in one commit, a live query re-evaluates instead. */
const REEVALUATE_AFTER = 1000;

/**
 * One row's change in a query's result: it came in, changed (same id, other values or relationships)
 * or left (deleted, no longer matching, or pushed out of a limited window). Carries no position.
 */
export type ResultChange<R = Row> =
  | { readonly type: 'insert'; readonly row: R }
  | { readonly type: 'update'; readonly row: R; readonly before: R }
  | { readonly type: 'delete'; readonly row: R };

/**
 * A query kept up to date as rows change. The top-level rows are maintained incrementally: a change
 * to one row costs a binary search in the result, and a limited query refills its window from the
 * index on its sort keys (built on demand), so neither grows with the table. Relationship results are
 * recomputed per result row when a related table changes. Unchanged rows keep their identity.
 * Without relationships the result array is copied from the base rows only when asked for (`rows`),
 * so a query followed by its changes alone (`trackChanges`) never pays O(result) per commit.
 */
export class LiveQuery {
  readonly ast: QueryAST;
  readonly tables: ReadonlySet<string>;
  private readonly db: Database;
  private readonly table: TableData;
  private readonly cmp: RowComparator;
  private readonly pred: Predicate;
  private readonly limit: number | undefined;
  /** The same query with an explicit sort key, so an index can serve its order. */
  private readonly orderAst: QueryAST;
  private readonly relatedTables: ReadonlySet<string>;
  private base: Row[] = [];
  /** Whether rows past the window may match (limited queries only). */
  private hasMore = false;
  private composed = new WeakMap<Row, Row>();
  /** Rows of the result that left the base during the current update, by id (see `settle`). */
  private readonly left = new Map<RowId, Row>();
  /** Rows that came into the base during the current update and were not in the result. */
  private readonly entered = new Set<Row>();
  /** The result; null when stale (no relationships: a copy of the base rows, made on demand). */
  private current: readonly Row[] | null = null;
  /** Whether `update` lists what changed in the result (`changes`). */
  trackChanges = false;
  /** What the last `update` that returned true changed in the result (when `trackChanges`). */
  changes: readonly ResultChange[] = [];

  constructor(db: Database, ast: QueryAST) {
    this.db = db;
    this.ast = ast;
    this.table = db.table(ast.table);
    this.cmp = rowComparator(ast.orderBy);
    this.pred = queryPredicate(ast, this.cmp);
    this.limit = rowLimit(ast);
    this.orderAst = ast.orderBy.length > 0 ? ast : { ...ast, orderBy: [['id', 'asc']] };
    const dirs = new Set(this.orderAst.orderBy.map(([, d]) => d));
    if (this.limit !== undefined && dirs.size === 1)
      this.table.ensureIndex(this.orderAst.orderBy.map(([c]) => c));
    this.tables = tablesOf(db, ast);
    const related = new Set<string>();
    for (const r of ast.related) tablesOf(db, r.query, related);
    this.relatedTables = related;
    this.reevaluate();
    this.entered.clear();
    if (ast.related.length > 0) this.current = this.compose(true);
  }

  /** The current result: rows in order (with relationships attached). */
  get rows(): readonly Row[] {
    if (this.current === null) this.current = this.base.slice();
    return this.current;
  }

  /** Applies a commit's changes; returns whether the result changed. */
  update(changes: readonly Change[]): boolean {
    let relatedChanged = false;
    let own = 0;
    for (const c of changes) {
      if (c.table === this.ast.table) own++;
      if (this.relatedTables.has(c.table)) relatedChanged = true;
    }
    if (own > REEVALUATE_AFTER) this.reevaluate();
    else if (own > 0) {
      for (const c of changes) {
        if (c.table === this.ast.table) this.applyChange(c);
      }
      if (this.limit !== undefined && this.base.length < this.limit && this.hasMore) this.refill();
    }
    const baseChanged = own > 0 && this.settle();
    if (!baseChanged && !relatedChanged) return false;
    if (this.ast.related.length === 0) {
      this.current = null;
      return true;
    }
    const previous = this.current!;
    const next = this.compose(relatedChanged);
    if (sameRows(next, previous)) return false;
    this.current = next;
    if (this.trackChanges) this.changes = diffById(previous, next);
    return true;
  }

  /**
   * Ends an update: a row written again with the same values (deleted and re-inserted, replayed by a
   * rebase, sent again by the server) is a new object but no change, so the object the result had
   * is put back. What is left over after the whole commit is the change: a row can come in and
   * leave again within one (inserted then deleted, or pushed out of a window and refilled). Returns
   * whether the base rows now differ from the result's.
   */
  private settle(): boolean {
    for (const old of this.left.values()) {
      const i = this.position(old);
      const row = this.base[i];
      if (row && row !== old && row.id === old.id && sameValues(row, old)) {
        this.base[i] = old;
        this.entered.delete(row);
        this.left.delete(old.id as RowId);
      }
    }
    const differs = this.left.size > 0 || this.entered.size > 0;
    if (differs && this.trackChanges && this.ast.related.length === 0) {
      const out: ResultChange[] = [];
      for (const row of this.entered) {
        const before = this.left.get(row.id as RowId);
        if (before) this.left.delete(row.id as RowId);
        out.push(before ? { type: 'update', row, before } : { type: 'insert', row });
      }
      for (const row of this.left.values()) out.push({ type: 'delete', row });
      this.changes = out;
    }
    this.left.clear();
    this.entered.clear();
    return differs;
  }

  /** Notes that `row` comes into the base rows. */
  private enter(row: Row): void {
    // The result's own row coming back (pushed out of a window and refilled, or written again as
    // the same object) is no change.
    if (this.left.get(row.id as RowId) === row) this.left.delete(row.id as RowId);
    else this.entered.add(row);
  }

  /** Notes that `row` leaves the base rows. */
  private drop(row: Row): void {
    // A row that came in during this update was not in the result: nothing left the result.
    if (this.entered.delete(row)) return;
    this.left.set(row.id as RowId, row);
  }

  private reevaluate(): void {
    for (const row of this.base) this.drop(row);
    this.base = evaluateBase(this.db, this.ast, 1);
    this.hasMore = this.limit !== undefined && this.base.length > this.limit;
    if (this.hasMore) this.base.pop();
    for (const row of this.base) this.enter(row);
  }

  private applyChange(c: Change): void {
    if (c.before && this.pred(c.before)) {
      const i = this.position(c.before);
      const row = this.base[i];
      if (row && row.id === c.before.id) {
        this.drop(row);
        this.base.splice(i, 1);
      }
    }
    if (c.after && this.pred(c.after)) {
      const base = this.base;
      const last = base[base.length - 1];
      if (this.limit === undefined || (base.length < this.limit && !this.hasMore)) {
        base.splice(this.position(c.after), 0, c.after);
        this.enter(c.after);
      } else if (last && this.cmp(c.after, last) < 0) {
        base.splice(this.position(c.after), 0, c.after);
        this.enter(c.after);
        if (base.length > this.limit) {
          this.drop(base.pop()!);
          this.hasMore = true;
        }
      } else {
        // Past the window (or the window awaits a refill): the refill decides.
        this.hasMore = true;
      }
    }
  }

  private refill(): void {
    const limit = this.limit!;
    const last = this.base[this.base.length - 1];
    const rows = last
      ? rowsAfter(this.table, this.orderAst, last)
      : orderIndex(this.table, this.orderAst)?.rows;
    if (!rows) {
      this.reevaluate();
      return;
    }
    this.hasMore = false;
    for (const row of rows) {
      if (!this.pred(row)) continue;
      if (this.base.length >= limit) {
        this.hasMore = true;
        break;
      }
      this.base.push(row);
      this.enter(row);
    }
  }

  /** Where `row` is, or would go, in the base rows. */
  private position(row: Row): number {
    let lo = 0;
    let hi = this.base.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(this.base[mid]!, row) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compose(relatedChanged: boolean): readonly Row[] {
    if (this.ast.related.length === 0) return this.base.slice();
    const byId = new Map<RowId, Row>();
    for (const r of this.current ?? []) byId.set(r.id as RowId, r);
    // Cached compositions of rows outside the result were not recomputed: they are stale now.
    if (relatedChanged) this.composed = new WeakMap();
    return this.base.map((row) => {
      const prev = this.composed.get(row);
      if (prev && !relatedChanged) return prev;
      const next = composeRow(this.db, this.ast, row);
      const old = prev ?? byId.get(row.id as RowId);
      const result = old && sameComposed(old, next, this.ast) ? old : next;
      this.composed.set(row, result);
      return result;
    });
  }
}

/** What changed from `a` to `b`, matched by id (for results with relationships, and reloads). */
export function diffById(a: readonly Row[], b: readonly Row[]): ResultChange[] {
  const out: ResultChange[] = [];
  const before = new Map<RowId, Row>();
  for (const row of a) before.set(row.id as RowId, row);
  for (const row of b) {
    const old = before.get(row.id as RowId);
    if (old === undefined) out.push({ type: 'insert', row });
    else {
      before.delete(row.id as RowId);
      if (old !== row) out.push({ type: 'update', row, before: old });
    }
  }
  for (const row of before.values()) out.push({ type: 'delete', row });
  return out;
}

function sameRows(a: readonly Row[], b: readonly Row[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameValues(a: Row, b: Row): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && valuesEqual(a[k], b[k]));
}

/** Two composed rows are the same when every column is identical and each relationship is too. */
function sameComposed(a: Row, b: Row, ast: QueryAST): boolean {
  for (const key of Object.keys(b)) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    const rel = ast.related.find((r) => r.name === key);
    if (!rel) return false;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) {
        if (x[i] !== y[i] && !sameComposed(x[i], y[i], rel.query)) return false;
      }
    } else if (!(x && y && typeof x === 'object' && sameComposed(x as Row, y as Row, rel.query))) {
      return false;
    }
  }
  return true;
}
