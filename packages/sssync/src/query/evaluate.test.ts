import { describe, expect, it } from 'vitest';
import { schema } from '../test/books-schema.js';
import { Database } from './database.js';
import { evaluate } from './evaluate.js';
import { LiveQuery } from './live-query.js';
import { Query, type QueryHost } from './query.js';

const host: QueryHost = { schema, run: async () => [], subscribe: () => () => {} };
const books = () => new Query<typeof schema, 'books'>(host, 'books');

function database(): Database {
  const db = new Database(schema);
  db.apply('authors', 'a1', { id: 'a1', name: 'Ann' });
  db.apply('books', 'b1', { id: 'b1', title: 'One', pageCount: 1, authorId: 'a1' });
  db.apply('books', 'b2', { id: 'b2', title: 'Two', pageCount: 2, authorId: null });
  return db;
}

describe('evaluate', () => {
  it('limit(0).one() gives no row, in a query and in a live query (regression)', () => {
    const db = database();
    const ast = books().limit(0).one().ast;
    expect(evaluate(db, ast)).toEqual([]);
    expect(new LiveQuery(db, ast).rows).toEqual([]);
    expect(evaluate(db, books().limit(5).one().ast).map((r) => r.id)).toEqual(['b1']);
  });

  it('a `one` relationship limited to 0 rows is null (regression)', () => {
    const db = database();
    const rows = evaluate(
      db,
      books()
        .where('id', '=', 'b1')
        .related('author', (q) => q.limit(0)).ast,
    );
    expect(rows).toEqual([{ id: 'b1', title: 'One', pageCount: 1, authorId: 'a1', author: null }]);
  });
});
