import { describe, expect, it } from 'vitest';
import { schema } from '../test/books-schema.js';
import type { SSSyncErrorCode } from '../util/errors.js';
import { SSSyncError } from '../util/errors.js';
import { Query, type QueryHost } from './query.js';

const host: QueryHost = { schema, run: async () => [], subscribe: () => () => {} };
const books = () => new Query<typeof schema, 'books'>(host, 'books');

/** Asserts that `build` throws an SSSyncError with `code` (and a message that says what to do). */
function expectError(code: SSSyncErrorCode, build: () => unknown): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SSSyncError);
  expect((error as SSSyncError).code).toBe(code);
  expect((error as SSSyncError).message.length).toBeGreaterThan(10);
}

describe('Query builder validation', () => {
  it('rejects a column that is not in the schema', () => {
    expectError('UNKNOWN_COLUMN', () => books().where('nope' as never, '=', 1 as never));
    expectError('UNKNOWN_COLUMN', () => books().where((b) => b.cmp('nope' as never, '=', 1 as never)));
    expectError('UNKNOWN_COLUMN', () =>
      books().where((b) => b.or(b.cmp('title', '=', 'x'), b.and(b.cmp('nope' as never, '=', 1 as never)))),
    );
    expectError('UNKNOWN_COLUMN', () => books().orderBy('nope' as never));
    // Inherited properties are not columns either.
    expectError('UNKNOWN_COLUMN', () => books().orderBy('toString' as never));
  });

  it('rejects an unknown operator', () => {
    expectError('INVALID_QUERY', () => books().where('title', 'contains' as never, 'x' as never));
    expectError('INVALID_QUERY', () => books().where('title', '==' as never, 'x' as never));
  });

  it('rejects `in` / `not in` without an array and `like` without a string', () => {
    expectError('INVALID_QUERY', () => books().where('pageCount', 'in', 3 as never));
    expectError('INVALID_QUERY', () => books().where('pageCount', 'not in', '3' as never));
    expectError('INVALID_QUERY', () => books().where('title', 'like', 3 as never));
    expectError('INVALID_QUERY', () => books().where('title', 'like', null as never));
  });

  it('rejects undefined and NaN operands', () => {
    expectError('INVALID_QUERY', () => books().where('title', '=', undefined as never));
    expectError('INVALID_QUERY', () => books().where('pageCount', '<=', Number.NaN));
    expectError('INVALID_QUERY', () => books().where('pageCount', 'in', [1, Number.NaN]));
  });

  it('rejects a builder that returns no condition', () => {
    expectError('INVALID_QUERY', () => books().where(() => undefined as never));
  });

  it('rejects a negative or non-integer limit', () => {
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3' as never]) {
      expectError('INVALID_QUERY', () => books().limit(n));
    }
    expect(books().limit(0).ast.limit).toBe(0);
  });

  it('rejects a bad sort direction', () => {
    expectError('INVALID_QUERY', () => books().orderBy('title', 'up' as never));
  });

  it('rejects start() without the id and sort columns of the row', () => {
    expectError('INVALID_QUERY', () => books().orderBy('title').start({ id: 'b1' }));
    expectError('INVALID_QUERY', () => books().orderBy('title').start({ title: 'x' }));
    expectError('INVALID_QUERY', () => books().start({ title: 'x' }));
    // A sort key added after the cursor must be in it too.
    expectError('INVALID_QUERY', () => books().start({ id: 'b1' }).orderBy('title'));
    const q = books().orderBy('title').start({ id: 'b1', title: 'x' }, { inclusive: true });
    expect(q.ast.start).toEqual({ row: { id: 'b1', title: 'x' }, inclusive: true });
    expect(books().start({ id: 'b1', title: 'x' }).orderBy('title').ast.orderBy).toEqual([['title', 'asc']]);
  });

  it('rejects an unknown relationship or table', () => {
    expectError('UNKNOWN_RELATIONSHIP', () => books().related('nope' as never));
    expectError('UNKNOWN_RELATIONSHIP', () => books().related('toString' as never));
    expectError('UNKNOWN_TABLE', () => new Query(host, 'nope' as never));
  });

  it('validates sub-queries of relationships too', () => {
    expectError('UNKNOWN_COLUMN', () =>
      books().related('author', (q) => q.where('pageCount' as never, '=', 1 as never)),
    );
  });
});

describe('Query builder', () => {
  it('is immutable: every call returns a new query and leaves the old one as it was', () => {
    const base = books();
    const filtered = base.where('pageCount', '>=', 4);
    const sorted = filtered.orderBy('title', 'desc').limit(5);
    expect(base.ast.where).toBeUndefined();
    expect(filtered.ast.orderBy).toEqual([]);
    expect(filtered.ast.limit).toBeUndefined();
    expect(sorted.ast).toMatchObject({ orderBy: [['title', 'desc']], limit: 5 });
  });

  it('ANDs chained where() calls and keeps and/or groups as built', () => {
    const q = books()
      .where('pageCount', '>=', 4)
      .where((b) => b.or(b.cmp('title', 'like', 'A%'), b.cmp('authorId', 'is', null)));
    expect(q.ast.where).toEqual({
      type: 'and',
      conditions: [
        { type: 'cmp', column: 'pageCount', op: '>=', value: 4 },
        {
          type: 'or',
          conditions: [
            { type: 'cmp', column: 'title', op: 'like', value: 'A%' },
            { type: 'cmp', column: 'authorId', op: 'is', value: null },
          ],
        },
      ],
    });
  });

  it('adds sort keys in order, relationships by name (a second call replaces), one() last', () => {
    const q = books()
      .orderBy('pageCount', 'desc')
      .orderBy('title')
      .related('author', (a) => a.where('name', '=', 'Ann'))
      .related('author')
      .one();
    expect(q.ast.orderBy).toEqual([
      ['pageCount', 'desc'],
      ['title', 'asc'],
    ]);
    expect(q.ast.related.map((r) => [r.name, r.query.where])).toEqual([['author', undefined]]);
    expect(q.ast.single).toBe(true);
  });
});
