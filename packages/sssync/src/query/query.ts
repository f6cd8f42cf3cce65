import { relationshipOf, type Schema, tableDef } from '../schema/schema.js';
import type {
  RelationshipKind,
  RelationshipName,
  RelationshipTarget,
  Row,
  Simplify,
  TableName,
} from '../schema/types.js';
import { SSSyncError } from '../util/errors.js';
import { type Condition, type Direction, emptyAST, OPERATORS, type Operator, type QueryAST } from './ast.js';
import type { ResultChange } from './live-query.js';

/** What runs a query: the client (async, live) or a mutation's transaction (its own view). */
export interface QueryHost {
  readonly schema: Schema;
  run(ast: QueryAST): Promise<readonly Readonly<Record<string, unknown>>[]>;
  subscribe(
    ast: QueryAST,
    listener: (rows: readonly Readonly<Record<string, unknown>>[]) => void,
  ): () => void;
  /** Only where results are live (the client). */
  subscribeChanges?(
    ast: QueryAST,
    listener: (changes: readonly ResultChange<Readonly<Record<string, unknown>>>[]) => void,
  ): () => void;
}

/** The value a comparison accepts for a column of type `V`. */
export type OperandFor<V, O extends Operator> = O extends 'in' | 'not in'
  ? readonly NonNullable<V>[]
  : O extends 'like'
    ? NonNullable<V> extends string
      ? string
      : never
    : O extends 'is' | 'is not'
      ? V | null
      : NonNullable<V>;

export interface ConditionBuilder<R> {
  cmp<K extends keyof R & string, O extends Operator>(
    column: K,
    op: O,
    value: OperandFor<R[K], O>,
  ): Condition;
  and(...conditions: Condition[]): Condition;
  or(...conditions: Condition[]): Condition;
}

type QueryResult<R, Single extends boolean> = Single extends true ? R | undefined : readonly R[];

/**
 * An immutable, typed query over one table. Every method returns a new query; `run()` gives the
 * rows now and `subscribe()` keeps giving them as they change.
 */
export class Query<S extends Schema, T extends TableName<S>, R = Row<S, T>, Single extends boolean = false> {
  readonly ast: QueryAST;
  private readonly host: QueryHost;

  constructor(host: QueryHost, ast: QueryAST | T) {
    this.host = host;
    if (typeof ast === 'string') {
      tableDef(host.schema, ast);
      this.ast = emptyAST(ast);
    } else {
      this.ast = ast;
    }
  }

  /** Keeps rows where `column op value`; chained `where`s AND together. Or pass a builder for and/or. */
  where<K extends keyof Row<S, T> & string, O extends Operator>(
    column: K,
    op: O,
    value: OperandFor<Row<S, T>[K], O>,
  ): Query<S, T, R, Single>;
  where(build: (b: ConditionBuilder<Row<S, T>>) => Condition): Query<S, T, R, Single>;
  where(a: unknown, op?: unknown, value?: unknown): Query<S, T, R, Single> {
    const cond =
      typeof a === 'function'
        ? (a as (b: ConditionBuilder<Row<S, T>>) => Condition)(this.builder())
        : this.cmp(a as string, op as Operator, value);
    this.checkCondition(cond);
    const where: Condition = this.ast.where ? { type: 'and', conditions: [this.ast.where, cond] } : cond;
    return this.with({ where });
  }

  /** Adds a sort key; chained calls sort by each in turn. Ties are broken by `id`. */
  orderBy(column: keyof Row<S, T> & string, direction: Direction = 'asc'): Query<S, T, R, Single> {
    this.checkColumn(column);
    if (this.ast.start && !(column in this.ast.start.row)) {
      throw new SSSyncError(
        'INVALID_QUERY',
        `start(row) has no "${column}" column to sort by: call orderBy() before start().`,
      );
    }
    if (direction !== 'asc' && direction !== 'desc') {
      throw new SSSyncError(
        'INVALID_QUERY',
        `orderBy direction must be 'asc' or 'desc', got ${String(direction)}.`,
      );
    }
    return this.with({ orderBy: [...this.ast.orderBy, [column, direction]] });
  }

  limit(n: number): Query<S, T, R, Single> {
    if (!Number.isInteger(n) || n < 0) {
      throw new SSSyncError('INVALID_QUERY', `limit must be a non-negative integer, got ${String(n)}.`);
    }
    return this.with({ limit: n });
  }

  /**
   * Starts after `row` in this query's order (cursor paging): pass the last row of the previous page.
   * The row needs the sort columns and `id`. `{ inclusive: true }` starts at it instead.
   */
  start(row: Partial<Row<S, T>>, opts: { inclusive?: boolean } = {}): Query<S, T, R, Single> {
    const r = row as Record<string, unknown>;
    for (const col of ['id', ...this.ast.orderBy.map(([c]) => c)]) {
      if (!(col in r))
        throw new SSSyncError('INVALID_QUERY', `start(row) needs the "${col}" column of the row.`);
    }
    return this.with({ start: { row: { ...r }, inclusive: opts.inclusive ?? false } });
  }

  /** Adds a relationship's rows to each result row, optionally refined by `sub` (nested `related` too). */
  related<N extends RelationshipName<S, T>, R2 = Row<S, RelationshipTarget<S, T, N>>>(
    name: N,
    sub?: (q: Query<S, RelationshipTarget<S, T, N>>) => Query<S, RelationshipTarget<S, T, N>, R2, boolean>,
  ): Query<
    S,
    T,
    Simplify<R & { readonly [K in N]: RelationshipKind<S, T, N> extends 'one' ? R2 | null : readonly R2[] }>,
    Single
  > {
    const rel = relationshipOf(this.host.schema, this.ast.table, name);
    const base = new Query<S, RelationshipTarget<S, T, N>>(
      this.host,
      rel.table as RelationshipTarget<S, T, N>,
    );
    const q = sub ? sub(base) : base;
    const related = [...this.ast.related.filter((r) => r.name !== name), { name, query: q.ast }];
    return new Query(this.host, { ...this.ast, related });
  }

  /** The first row only: `run()` gives it or `undefined`. */
  one(): Query<S, T, R, true> {
    return new Query(this.host, { ...this.ast, single: true });
  }

  async run(): Promise<QueryResult<R, Single>> {
    const rows = await this.host.run(this.ast);
    return (this.ast.single ? rows[0] : rows) as QueryResult<R, Single>;
  }

  /** Calls `listener` with the current result, then after every commit that changes it. */
  subscribe(listener: (result: QueryResult<R, Single>) => void): () => void {
    const single = this.ast.single;
    return this.host.subscribe(this.ast, (rows) =>
      listener((single ? rows[0] : rows) as QueryResult<R, Single>),
    );
  }

  /**
   * Calls `listener` with every row of the result now (each an `insert`), then after every commit
   * that changes the result with what changed: `insert`, `update` (with the row `before`) and
   * `delete` (a row deleted, no longer matching, or pushed out of a `limit`). Changes carry no
   * position: sort by the query's order if you need one, or use `subscribe()`, which hands over the
   * whole result each time. Without relationships, a query followed only this way costs per commit
   * what changed, not the size of its result.
   */
  subscribeChanges(listener: (changes: readonly ResultChange<R>[]) => void): () => void {
    if (!this.host.subscribeChanges)
      throw new SSSyncError(
        'INVALID_QUERY',
        'subscribeChanges() is only available on the client; use run().',
      );
    return this.host.subscribeChanges(
      this.ast,
      listener as (changes: readonly ResultChange<unknown>[]) => void,
    );
  }

  private with(patch: Partial<QueryAST>): Query<S, T, R, Single> {
    return new Query(this.host, { ...this.ast, ...patch });
  }

  private builder(): ConditionBuilder<Row<S, T>> {
    return {
      cmp: (column, op, value) => this.cmp(column, op, value),
      and: (...conditions) => ({ type: 'and', conditions }),
      or: (...conditions) => ({ type: 'or', conditions }),
    };
  }

  private cmp(column: string, op: Operator, value: unknown): Condition {
    return { type: 'cmp', column, op, value };
  }

  private checkColumn(column: string): void {
    const def = tableDef(this.host.schema, this.ast.table);
    if (typeof column !== 'string' || !Object.hasOwn(def.columns, column)) {
      throw new SSSyncError(
        'UNKNOWN_COLUMN',
        `Unknown column "${this.ast.table}.${String(column)}": it is not in the schema.`,
      );
    }
  }

  private checkCondition(cond: Condition): void {
    if (!cond || typeof cond !== 'object')
      throw new SSSyncError('INVALID_QUERY', 'A where() builder must return a condition.');
    if (cond.type === 'and' || cond.type === 'or') {
      for (const c of cond.conditions) this.checkCondition(c);
      return;
    }
    this.checkColumn(cond.column);
    if (!OPERATORS.includes(cond.op)) {
      throw new SSSyncError(
        'INVALID_QUERY',
        `Unknown operator "${String(cond.op)}"; use one of ${OPERATORS.join(' ')}.`,
      );
    }
    if ((cond.op === 'in' || cond.op === 'not in') && !Array.isArray(cond.value)) {
      throw new SSSyncError('INVALID_QUERY', `"${cond.op}" needs an array of values for "${cond.column}".`);
    }
    if (cond.op === 'like' && typeof cond.value !== 'string') {
      throw new SSSyncError('INVALID_QUERY', `"like" needs a string pattern for "${cond.column}".`);
    }
    if (cond.value === undefined) {
      throw new SSSyncError('INVALID_QUERY', `The value compared with "${cond.column}" is undefined.`);
    }
    // SQL has no NaN (drivers bind it as NULL), and no order puts it anywhere: it would match anything.
    if (Number.isNaN(cond.value) || (Array.isArray(cond.value) && cond.value.some(Number.isNaN))) {
      throw new SSSyncError('INVALID_QUERY', `The value compared with "${cond.column}" is NaN.`);
    }
  }
}
