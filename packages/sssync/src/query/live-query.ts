import { type QueryAST, rowLimit } from './ast.js';
import { valuesEqual } from './compare.js';
import type { Change, Database, RowId, TableData } from './database.js';
import { composeRow, evaluateBase, tablesOf } from './evaluate.js';
import { orderIndex, rowsAfter } from './plan.js';
import { type Predicate, queryPredicate, type Row, type RowComparator, rowComparator } from './predicate.js';

/** Past this many changes to its table in one commit, a live query re-evaluates instead. */
const REEVALUATE_AFTER = 1000;

/**
 * A query kept up to date as rows change. The top-level rows are maintained incrementally: a change
 * to one row costs a binary search in the result, and a limited query refills its window from the
 * index on its sort keys (built on demand), so neither grows with the table. Relationship results are
 * recomputed per result row when a related table changes. Unchanged rows keep their identity.
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
  /** Rows of the result that left the base during the current update, by id (see `keepIdentity`). */
  private readonly left = new Map<RowId, Row>();
  /** Rows that came into the base during the current update and were not in the result. */
  private readonly entered = new Set<Row>();
  /** Whether the current update recomputed the base (then `left`/`entered` are not the whole story). */
  private reevaluated = false;
  private current: readonly Row[] = [];

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
    this.current = this.compose(true);
  }

  /** The current result: rows in order (with relationships attached). */
  get rows(): readonly Row[] {
    return this.current;
  }

  /** Applies a commit's changes; returns whether the result changed. */
  update(changes: readonly Change[]): boolean {
    let baseChanged = false;
    let relatedChanged = false;
    // Whether `baseChanged` says exactly whether the base rows differ from the result's.
    let exact = false;
    let own = 0;
    for (const c of changes) {
      if (c.table === this.ast.table) own++;
      if (this.relatedTables.has(c.table)) relatedChanged = true;
    }
    this.reevaluated = false;
    if (own > REEVALUATE_AFTER) {
      const before = this.base;
      this.reevaluate();
      this.keepIdentity();
      baseChanged = !sameRows(before, this.base);
      exact = true;
    } else if (own > 0) {
      for (const c of changes) {
        if (c.table === this.ast.table) this.applyChange(c);
      }
      if (this.limit !== undefined && this.base.length < this.limit && this.hasMore) this.refill();
      // A row can come in and leave again within one commit (inserted then deleted, or pushed out
      // of a window and refilled): only what is left over after the whole commit counts.
      const differs = this.keepIdentity();
      exact = !this.reevaluated;
      baseChanged = exact ? differs : true;
    }
    this.entered.clear();
    if (!baseChanged && !relatedChanged) return false;
    const next = this.compose(relatedChanged);
    // Without relationships the result is the base rows: no O(result) comparison needed.
    const surelyChanged = baseChanged && exact && this.ast.related.length === 0;
    if (!surelyChanged && sameRows(next, this.current)) return false;
    this.current = next;
    return true;
  }

  /**
   * A row written again with the same values (deleted and re-inserted, replayed by a rebase, sent
   * again by the server) is a new object but no change: put the object the result had back.
   * Returns whether the base rows now differ from the result's (exact unless the base was
   * recomputed during the update).
   */
  private keepIdentity(): boolean {
    let restored = 0;
    for (const old of this.left.values()) {
      const i = this.position(old);
      const row = this.base[i];
      if (row && row !== old && row.id === old.id && sameValues(row, old)) {
        this.base[i] = old;
        restored++;
      }
    }
    // Each row put back pairs one row that left with one that came in.
    const differs = this.left.size > restored || this.entered.size > restored;
    this.left.clear();
    return differs;
  }

  /** Notes that `row` comes into the base rows. */
  private enter(row: Row): void {
    // The result's own row coming back (pushed out of a window and refilled, or written again as
    // the same object) is no change.
    if (this.left.get(row.id as RowId) === row) this.left.delete(row.id as RowId);
    else this.entered.add(row);
  }

  /** Notes that `row` leaves the base rows (the first version per id is the one the result holds). */
  private drop(row: Row): void {
    if (this.entered.delete(row)) return;
    if (!this.left.has(row.id as RowId)) this.left.set(row.id as RowId, row);
  }

  private reevaluate(): void {
    this.reevaluated = true;
    for (const row of this.base) this.drop(row);
    this.base = evaluateBase(this.db, this.ast, 1);
    this.hasMore = this.limit !== undefined && this.base.length > this.limit;
    if (this.hasMore) this.base.pop();
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
    for (const r of this.current) byId.set(r.id as RowId, r);
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
