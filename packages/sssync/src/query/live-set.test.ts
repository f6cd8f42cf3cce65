import { describe, expect, it } from 'vitest';
import { schema } from '../test/books-schema.js';
import { Database } from './database.js';
import { LiveSet } from './live-set.js';
import type { Row } from './predicate.js';
import { Query, type QueryHost } from './query.js';

const host: QueryHost = { schema, run: async () => [], subscribe: () => () => {} };
const books = () => new Query<typeof schema, 'books'>(host, 'books');

describe('LiveSet', () => {
  it('does not share a live query between queries that differ only by a non-finite number (regression)', () => {
    const db = new Database(schema);
    db.apply('books', 'b1', { id: 'b1', title: 'One', pageCount: 1, authorId: null });
    const set = new LiveSet(db);
    const seen: Record<string, readonly Row[]> = {};
    set.subscribe(books().where('pageCount', '<', Number.POSITIVE_INFINITY).ast, (rows) => {
      seen.infinity = rows;
    });
    set.subscribe(books().where('pageCount', '<', null as never).ast, (rows) => {
      seen.null = rows;
    });
    set.subscribe(books().where('title', '=', '\u0000Infinity').ast, (rows) => {
      seen.string = rows;
    });
    expect(set.size).toBe(3);
    expect(seen.infinity?.map((r) => r.id)).toEqual(['b1']);
    expect(seen.null).toEqual([]);
    expect(seen.string).toEqual([]);
  });

  it('shares one live query between subscribers of the same query and drops it after the last', () => {
    const db = new Database(schema);
    const set = new LiveSet(db);
    const stopA = set.subscribe(books().orderBy('title').ast, () => {});
    const stopB = set.subscribe(books().orderBy('title').ast, () => {});
    expect(set.size).toBe(1);
    stopA();
    expect(set.size).toBe(1);
    stopB();
    expect(set.size).toBe(0);
  });
});
