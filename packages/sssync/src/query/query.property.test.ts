import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { c, defineSchema, many, one, table } from '../schema/index.js';
import type { Schema } from '../schema/schema.js';
import type { Condition, Direction, Operator, QueryAST } from './ast.js';
import { compareValues } from './compare.js';
import { type Change, Database, type RowId } from './database.js';
import { evaluate } from './evaluate.js';
import { LiveQuery } from './live-query.js';
import { LiveSet } from './live-set.js';
import type { Row } from './predicate.js';
import { Query, type QueryHost } from './query.js';
import { referenceCompare, referenceEvaluate } from './reference.js';

// ---- Data: three related tables over small value domains, so ties, nulls and collisions are common.

const NUMBERS = [-2, -1, -0.5, -0, 0, 0.25, 1, 2, 3.5];
const STRINGS = ['', 'a', 'A', 'ab', 'b', 'ba', 'a_b', 'a%', 'é', 'e\u0301', '😀', '\uff46'];
const ITEM_IDS = [-3, -1, 0, 1, 2, 2.5, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const OWNER_IDS = ['o1', 'o2', 'o3', 'O', 'o10', '😀', 'o9'];
const TAG_IDS = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'];

type Kind = 'number' | 'string' | 'boolean';
interface ColumnInfo {
  readonly kind: Kind;
  readonly values: readonly unknown[];
  readonly optional: boolean;
}
type TableName = 'items' | 'owners' | 'tags';
const TABLES: readonly TableName[] = ['items', 'owners', 'tags'];

const COLUMNS: Record<TableName, Record<string, ColumnInfo>> = {
  items: {
    id: { kind: 'number', values: ITEM_IDS, optional: false },
    n: { kind: 'number', values: NUMBERS, optional: true },
    s: { kind: 'string', values: STRINGS, optional: false },
    t: { kind: 'string', values: STRINGS.slice(0, 6), optional: true },
    b: { kind: 'boolean', values: [false, true], optional: true },
    ownerId: { kind: 'string', values: OWNER_IDS, optional: true },
    parentId: { kind: 'number', values: ITEM_IDS.slice(0, 8), optional: true },
  },
  owners: {
    id: { kind: 'string', values: OWNER_IDS, optional: false },
    name: { kind: 'string', values: STRINGS, optional: true },
    rank: { kind: 'number', values: [0, 1, 2], optional: false },
  },
  tags: {
    id: { kind: 'string', values: TAG_IDS, optional: false },
    itemId: { kind: 'number', values: ITEM_IDS.slice(0, 8), optional: true },
    label: { kind: 'string', values: STRINGS.slice(0, 5), optional: false },
  },
};

const RELATIONSHIPS = {
  items: {
    owner: one('owners', 'ownerId'),
    tags: many('tags', 'itemId'),
    parent: one('items', 'parentId'),
    children: many('items', 'parentId'),
  },
  owners: { items: many('items', 'ownerId') },
  tags: { item: one('items', 'itemId') },
} as const;

type Indexes = Record<TableName, readonly (readonly string[])[]>;

/** The schema with the given declared indexes: the engine's plans depend on them, results must not. */
function makeSchema(indexes: Indexes): Schema {
  const tables = {
    items: table({
      id: c.number(),
      n: c.number().optional(),
      s: c.string(),
      t: c.string().optional(),
      b: c.boolean().optional(),
      ownerId: c.string().optional(),
      parentId: c.number().optional(),
    }),
    owners: table({ id: c.string(), name: c.string().optional(), rank: c.number() }),
    tags: table({ id: c.string(), itemId: c.number().optional(), label: c.string() }),
  };
  const withIndexes = (name: TableName) =>
    indexes[name].reduce((def, cols) => def.index(cols as never), tables[name] as (typeof tables)[TableName]);
  return defineSchema({
    version: 1,
    tables: { items: withIndexes('items'), owners: withIndexes('owners'), tags: withIndexes('tags') },
    relationships: RELATIONSHIPS,
  }) as unknown as Schema;
}

const columnValue = (info: ColumnInfo): fc.Arbitrary<unknown> => {
  const value = fc.constantFrom(...info.values);
  return info.optional ? fc.option(value, { nil: null, freq: 4 }) : value;
};

const rowArb = (name: TableName): fc.Arbitrary<Row> =>
  fc.record(
    Object.fromEntries(Object.entries(COLUMNS[name]).map(([col, info]) => [col, columnValue(info)])),
  ) as fc.Arbitrary<Row>;

const tableRowsArb = (name: TableName, maxLength: number) =>
  fc.uniqueArray(rowArb(name), { maxLength, selector: (r) => r.id });

const tablesArb = fc.record({
  items: tableRowsArb('items', 24),
  owners: tableRowsArb('owners', 7),
  tags: tableRowsArb('tags', 10),
});
type Tables = Record<TableName, Row[]>;

const indexArb = (name: TableName) =>
  fc.array(fc.uniqueArray(fc.constantFrom(...Object.keys(COLUMNS[name])), { minLength: 1, maxLength: 2 }), {
    maxLength: 3,
  });
const indexesArb: fc.Arbitrary<Indexes> = fc.record({
  items: indexArb('items'),
  owners: indexArb('owners'),
  tags: indexArb('tags'),
});

// ---- Queries: every operator, nested and/or, mixed sort directions, limits, cursors, relationships.

const LIKE_PIECES = ['%', '_', 'a', 'A', 'b', 'é', '😀', '\\%', '\\_', '\\', 'ab', '%a'];
const OPS: readonly Operator[] = ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'like', 'is', 'is not'];

function operandArb(info: ColumnInfo, op: Operator): fc.Arbitrary<unknown> {
  const value = fc.constantFrom(...info.values);
  const maybeNull = fc.option(value, { nil: null, freq: 8 });
  switch (op) {
    case 'in':
    case 'not in':
      return fc.array(maybeNull, { maxLength: 4 });
    case 'like':
      return fc.array(fc.constantFrom(...LIKE_PIECES), { maxLength: 4 }).map((p) => p.join(''));
    case 'is':
    case 'is not':
      return fc.option(value, { nil: null, freq: 2 });
    default:
      return maybeNull;
  }
}

const cmpArb = (name: TableName): fc.Arbitrary<Condition> =>
  fc
    .tuple(fc.constantFrom(...Object.keys(COLUMNS[name])), fc.constantFrom(...OPS))
    .chain(([column, chosen]) => {
      const info = COLUMNS[name][column]!;
      const op: Operator = chosen === 'like' && info.kind !== 'string' ? '=' : chosen;
      return operandArb(info, op).map((value): Condition => ({ type: 'cmp', column, op, value }));
    });

const conditionArb = (name: TableName): fc.Arbitrary<Condition> =>
  fc.letrec<{ node: Condition; group: Condition }>((tie) => ({
    node: fc.oneof({ maxDepth: 3, depthIdentifier: name }, cmpArb(name), cmpArb(name), tie('group')),
    group: fc
      .tuple(fc.constantFrom('and' as const, 'or' as const), fc.array(tie('node'), { maxLength: 3 }))
      .map(([type, conditions]): Condition => ({ type, conditions })),
  })).node;

const orderByArb = (name: TableName) =>
  fc.array(
    fc.tuple(fc.constantFrom(...Object.keys(COLUMNS[name])), fc.constantFrom<Direction>('asc', 'desc')),
    { maxLength: 3 },
  );

interface QuerySpec {
  readonly table: TableName;
  readonly wheres: readonly Condition[];
  readonly orderBy: readonly (readonly [string, Direction])[];
  readonly limit: number | undefined;
  /** A cursor: an existing row (by position) or a made-up one; top level only. */
  readonly start: { readonly pick: number; readonly made: Row | null; readonly inclusive: boolean } | null;
  readonly single: boolean;
  readonly related: readonly { readonly name: string; readonly sub: QuerySpec }[];
}

const relationshipNames = (name: TableName): string[] => Object.keys(RELATIONSHIPS[name]);
const targetOf = (name: TableName, rel: string): TableName =>
  (RELATIONSHIPS[name] as Record<string, { table: TableName }>)[rel]!.table;

function querySpecArb(name: TableName, depth: number, top: boolean): fc.Arbitrary<QuerySpec> {
  const related =
    depth === 0
      ? fc.constant([])
      : fc.array(
          fc
            .constantFrom(...relationshipNames(name))
            .chain((rel) =>
              querySpecArb(targetOf(name, rel), depth - 1, false).map((sub) => ({ name: rel, sub })),
            ),
          { maxLength: 2 },
        );
  return fc.record({
    table: fc.constant(name),
    wheres: fc.array(conditionArb(name), { maxLength: 2 }),
    orderBy: orderByArb(name),
    limit: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined, freq: 2 }),
    start: top
      ? fc.option(
          fc.record({
            pick: fc.nat(),
            made: fc.option(rowArb(name), { nil: null }),
            inclusive: fc.boolean(),
          }),
          { nil: null, freq: 2 },
        )
      : fc.constant(null),
    single: top ? fc.boolean() : fc.constant(false),
    related,
  });
}

const topQueryArb = fc.constantFrom(...TABLES).chain((name) => querySpecArb(name, 2, true));

type AnyQuery = Query<Schema, string, any, boolean>;

const hostFor = (schema: Schema): QueryHost => ({
  schema,
  run: async () => [],
  subscribe: () => () => {},
});

/** Builds the spec through the public builder, so its validation and composition are exercised too. */
function buildQuery(q: AnyQuery, spec: QuerySpec, tables: Tables): AnyQuery {
  for (const w of spec.wheres) q = q.where(() => w);
  for (const [col, dir] of spec.orderBy) q = q.orderBy(col as never, dir);
  if (spec.limit !== undefined) q = q.limit(spec.limit);
  if (spec.start) {
    const rows = tables[spec.table];
    const row = spec.start.made ?? rows[spec.start.pick % Math.max(rows.length, 1)] ?? rowOf(spec.table, 0);
    q = q.start(row as never, { inclusive: spec.start.inclusive });
  }
  for (const { name, sub } of spec.related) {
    q = q.related(name as never, (s: AnyQuery) => buildQuery(s, sub, tables) as never) as AnyQuery;
  }
  if (spec.single) q = q.one() as AnyQuery;
  return q;
}

/** Some valid row of a table, for a cursor on an empty table. */
const rowOf = (name: TableName, i: number): Row =>
  Object.fromEntries(Object.entries(COLUMNS[name]).map(([col, info]) => [col, info.values[i]]));

function astOf(schema: Schema, spec: QuerySpec, tables: Tables): QueryAST {
  return buildQuery(new Query(hostFor(schema), spec.table) as AnyQuery, spec, tables).ast;
}

function loadDatabase(schema: Schema, tables: Tables): Database {
  const db = new Database(schema);
  for (const name of TABLES) for (const row of tables[name]) db.apply(name, row.id as RowId, row);
  return db;
}

/** Frozen copies: generated values must stay untouched, or fast-check cannot shrink and replay them. */
const copyTables = (tables: Tables): Tables => ({
  items: tables.items.map((r) => Object.freeze({ ...r })),
  owners: tables.owners.map((r) => Object.freeze({ ...r })),
  tags: tables.tags.map((r) => Object.freeze({ ...r })),
});

// ---- Writes: batches of inserts, partial updates and deletes, each batch one commit.

const writeArb = fc.constantFrom(...TABLES).chain((name) =>
  fc.record({
    table: fc.constant(name),
    row: rowArb(name),
    /** Which columns an update sets (bit per column); an unknown id makes it an insert. */
    mask: fc.nat(127),
    remove: fc.nat(3).map((n) => n === 0),
  }),
);
type Write = typeof writeArb extends fc.Arbitrary<infer W> ? W : never;

const batchArb = fc.record({
  writes: fc.array(writeArb, { minLength: 1, maxLength: 6 }),
  /** Report the commit net per row (as the client does) or one change per write. */
  perWrite: fc.boolean(),
});

/** Applies a batch to the model and the database alike; returns the changes a commit reports. */
function applyBatch(db: Database, model: Tables, writes: readonly Write[], perWrite: boolean): Change[] {
  const each: Change[] = [];
  const net = new Map<string, Change>();
  for (const w of writes) {
    const rows = model[w.table];
    const i = rows.findIndex((r) => r.id === w.row.id);
    const before = rows[i] ?? null;
    let after: Row | null;
    if (w.remove) after = null;
    else if (!before) after = { ...w.row };
    else {
      const next: Record<string, unknown> = { ...before };
      Object.keys(COLUMNS[w.table]).forEach((col, bit) => {
        if (col !== 'id' && w.mask & (1 << bit)) next[col] = w.row[col];
      });
      after = next;
    }
    // Deleting a missing row writes nothing. (Writing a row's own values again does write a new object.)
    if (after === before) continue;
    if (after) Object.freeze(after);
    if (i >= 0) rows.splice(i, 1);
    if (after) rows.push(after);
    db.apply(w.table, w.row.id as RowId, after);
    const change: Change = { table: w.table, id: w.row.id as RowId, before, after };
    each.push(change);
    const key = `${w.table}:${String(w.row.id)}`;
    const first = net.get(key);
    net.set(key, { ...change, before: first ? first.before : before });
  }
  if (perWrite) return each;
  return [...net.values()].filter((c) => c.before !== c.after);
}

/** Deep equality with `===` on values (so `0` and `-0` are the same value, as in SQL). */
function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameContent((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

// ---- Properties

// Values compare as SQL compares them: `0` and `-0` are one value (a row keeps its identity across
// a write of `-0` over `0`).
expect.addEqualityTesters([
  (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a === b : undefined),
]);

describe('query engine (property)', () => {
  it('compareValues orders like the reference (SQL binary collation, nulls first)', () => {
    const pair = <T>(value: fc.Arbitrary<T>) => {
      const v = fc.option(value, { nil: null, freq: 6 });
      return fc.tuple(v, v);
    };
    fc.assert(
      fc.property(
        fc.oneof(
          pair(fc.oneof(fc.constantFrom(...STRINGS), fc.string({ unit: 'binary' }))),
          pair(fc.oneof(fc.constantFrom(...NUMBERS), fc.double({ noNaN: true }))),
          pair(fc.boolean()),
        ),
        ([a, b]) => {
          expect(Math.sign(compareValues(a, b))).toBe(Math.sign(referenceCompare(a, b)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('evaluate() gives the reference result', () => {
    fc.assert(
      fc.property(
        indexesArb,
        tablesArb,
        fc.array(topQueryArb, { minLength: 1, maxLength: 3 }),
        (indexes, tables, specs) => {
          const schema = makeSchema(indexes);
          const data = copyTables(tables);
          const db = loadDatabase(schema, data);
          for (const spec of specs) {
            const ast = astOf(schema, spec, data);
            expect(evaluate(db, ast)).toEqual(referenceEvaluate(schema, data, ast));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a live query follows every commit, notifies only on change and keeps unchanged rows', () => {
    fc.assert(
      fc.property(
        indexesArb,
        tablesArb,
        topQueryArb,
        fc.array(batchArb, { minLength: 1, maxLength: 12 }),
        (indexes, tables, spec, batches) => {
          const schema = makeSchema(indexes);
          const model = copyTables(tables);
          const db = loadDatabase(schema, model);
          const ast = astOf(schema, spec, model);
          const live = new LiveQuery(db, ast);
          const liveSet = new LiveSet(db);
          const delivered: (readonly Row[])[] = [];
          liveSet.subscribe(ast, (rows) => delivered.push(rows));
          // A change subscriber rebuilds the result from what it is told, by id.
          const mirror = new Map<unknown, Row>();
          let changeCalls = 0;
          liveSet.subscribeChanges(ast, (changes) => {
            // The first call is the result now (maybe empty); later ones only when something changed.
            if (changeCalls++ > 0) expect(changes.length).toBeGreaterThan(0);
            for (const c of changes) {
              if (c.type === 'insert') expect(mirror.has(c.row.id)).toBe(false);
              else expect(mirror.get(c.row.id)).toBe(c.type === 'update' ? c.before : c.row);
              if (c.type === 'delete') mirror.delete(c.row.id);
              else mirror.set(c.row.id, c.row);
            }
          });
          // The same rows (objects) as the snapshot subscriber of the same LiveSet got.
          const mirrored = () => {
            const rows = delivered.at(-1)!;
            expect(mirror.size).toBe(rows.length);
            for (const row of rows) expect(mirror.get(row.id)).toBe(row);
          };
          let expected = referenceEvaluate(schema, model, ast);
          expect(live.rows).toEqual(expected);
          expect(delivered).toEqual([expected]);
          mirrored();
          expect(changeCalls).toBe(1);
          let deliveries = 1;
          for (const { writes, perWrite } of batches) {
            const previous = live.rows;
            const changes = applyBatch(db, model, writes, perWrite);
            const notified = live.update(changes);
            liveSet.notify(changes);
            const next = referenceEvaluate(schema, model, ast);
            expect(live.rows).toEqual(next);
            const changed = !sameContent(expected, next);
            expect(notified).toBe(changed);
            if (changed) deliveries++;
            expect(delivered.length).toBe(deliveries);
            expect(changeCalls).toBe(deliveries);
            expect(delivered.at(-1)).toEqual(next);
            mirrored();
            const byId = new Map(previous.map((r) => [r.id, r]));
            for (const row of live.rows) {
              const old = byId.get(row.id);
              if (old && sameContent(old, row)) expect(row).toBe(old);
            }
            expected = next;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
