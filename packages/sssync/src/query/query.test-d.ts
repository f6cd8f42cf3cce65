import { describe, expectTypeOf, it } from 'vitest';
import type { QueryRoot } from '../mutation/transaction.js';
import type { schema } from '../test/books-schema.js';

declare const query: QueryRoot<typeof schema>;

interface Book {
  readonly id: string;
  readonly title: string;
  readonly pageCount: number;
  readonly authorId: string | null;
}
interface Author {
  readonly id: string;
  readonly name: string;
}
interface BookWithAuthor extends Book {
  readonly author: Author | null;
}

describe('query types', () => {
  it('accepts only the table’s columns', () => {
    query.books.where('title', '=', 'x').orderBy('pageCount', 'desc');
    // @ts-expect-error no such column
    query.books.where('titel', '=', 'x');
    // @ts-expect-error a column of another table
    query.books.where('name', '=', 'x');
    // @ts-expect-error no such column
    query.books.orderBy('nope');
    // @ts-expect-error no such direction
    query.books.orderBy('title', 'up');
    query.books.where((b) => b.or(b.cmp('title', '=', 'x'), b.cmp('pageCount', '>', 3)));
    // @ts-expect-error no such column in a builder either
    query.books.where((b) => b.cmp('nope', '=', 'x'));
  });

  it('accepts only values of the column’s type for each operator', () => {
    query.books.where('pageCount', '>=', 4).where('title', 'like', 'A%').where('pageCount', 'in', [1, 2]);
    query.books.where('authorId', 'is', null).where('authorId', 'is not', 'a1');
    query.books.where('authorId', 'not in', ['a1']);
    // @ts-expect-error a string for a number column
    query.books.where('pageCount', '>=', 'x');
    // @ts-expect-error `in` needs an array
    query.books.where('pageCount', 'in', 3);
    // @ts-expect-error an array of the column's type
    query.books.where('pageCount', 'in', ['3']);
    // @ts-expect-error `like` is for string columns
    query.books.where('pageCount', 'like', '1%');
    // @ts-expect-error `like` needs a string pattern
    query.books.where('title', 'like', 1);
    // @ts-expect-error `= null` is never true in SQL: use `is`
    query.books.where('authorId', '=', null);
    // @ts-expect-error no such operator
    query.books.where('pageCount', '==', 1);
    // @ts-expect-error builder operands are checked too
    query.books.where((b) => b.cmp('pageCount', '<', 'x'));
  });

  it('infers the rows of a query', () => {
    expectTypeOf(query.books.run()).resolves.toEqualTypeOf<readonly Book[]>();
    type Row = Awaited<ReturnType<typeof query.books.run>>[number];
    expectTypeOf<Row['title']>().toEqualTypeOf<string>();
    expectTypeOf<Row['authorId']>().toEqualTypeOf<string | null>();
    expectTypeOf(query.books.where('id', '=', 'b1').one().run()).resolves.toEqualTypeOf<Book | undefined>();
    query.books.subscribe((rows) => expectTypeOf(rows).toEqualTypeOf<readonly Book[]>());
    query.books.one().subscribe((row) => expectTypeOf(row).toEqualTypeOf<Book | undefined>());
  });

  it('adds relationships to the rows: `one` as row | null, `many` as a readonly array', () => {
    const withAuthor = query.books.related('author');
    expectTypeOf(withAuthor.run()).resolves.toEqualTypeOf<readonly BookWithAuthor[]>();
    type B = Awaited<ReturnType<typeof withAuthor.run>>[number];
    expectTypeOf<B['author']>().toEqualTypeOf<Author | null>();

    const withBooks = query.authors.related('books', (q) => q.orderBy('pageCount', 'desc').limit(3));
    type A = Awaited<ReturnType<typeof withBooks.run>>[number];
    expectTypeOf<A['books']>().toEqualTypeOf<readonly Book[]>();

    // Nested: authors → books → author.
    const nested = query.authors.related('books', (q) => q.related('author')).one();
    type N = NonNullable<Awaited<ReturnType<typeof nested.run>>>;
    expectTypeOf<N['books'][number]['author']>().toEqualTypeOf<Author | null>();

    // @ts-expect-error no such relationship
    query.books.related('books');
    // @ts-expect-error the sub-query is over the target table
    query.books.related('author', (q) => q.where('title', '=', 'x'));
  });

  it('takes a cursor with the table’s columns', () => {
    query.books.orderBy('title').start({ id: 'b1', title: 'x' }, { inclusive: true });
    // @ts-expect-error no such column
    query.books.orderBy('title').start({ id: 'b1', titel: 'x' });
    // @ts-expect-error wrong type
    query.books.orderBy('title').start({ id: 'b1', title: 1 });
  });

  it('gives changes of the query’s rows to subscribeChanges', () => {
    query.books.related('author').subscribeChanges((changes) => {
      for (const c of changes) {
        expectTypeOf(c.row).toEqualTypeOf<BookWithAuthor>();
        if (c.type === 'update') expectTypeOf(c.before).toEqualTypeOf<BookWithAuthor>();
        // @ts-expect-error only an update has a before
        if (c.type === 'insert') void c.before;
      }
    });
  });
});
