import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { SSSync } from '../client/sssync.js';
import { defineMutators, withArgs } from '../mutation/mutators.js';
import { type mutators, schema } from '../test/books-schema.js';
import { c } from './column.js';
import { defineSchema } from './schema.js';
import { table } from './table.js';
import type { InsertRow, Row, UpdateRow } from './types.js';

type S = typeof schema;

const events = defineSchema({
  version: 1,
  tables: {
    events: table({
      id: c.number(),
      name: c.string(),
      at: c.date(),
      kind: c.enum(['talk', 'party']).default('talk'),
      seats: c.number().default(0),
      note: c.string().optional(),
      meta: c.json<{ tags: string[] }>().optional(),
    }),
  },
});
type E = typeof events;

describe('row types', () => {
  it('InsertRow requires the columns that are neither optional nor defaulted', () => {
    const book: InsertRow<S, 'books'> = { id: 'b1', title: 'T', pageCount: 1 };
    const withAuthor: InsertRow<S, 'books'> = { id: 'b1', title: 'T', pageCount: 1, authorId: null };
    // @ts-expect-error title is required
    const noTitle: InsertRow<S, 'books'> = { id: 'b1', pageCount: 1 };
    // @ts-expect-error id is required
    const noId: InsertRow<S, 'books'> = { title: 'T', pageCount: 1 };
    // @ts-expect-error unknown column
    const extra: InsertRow<S, 'books'> = { id: 'b1', title: 'T', pageCount: 1, pages: 3 };
    // @ts-expect-error wrong type
    const wrong: InsertRow<S, 'books'> = { id: 'b1', title: 'T', pageCount: '1' };
    void [book, withAuthor, noTitle, noId, extra, wrong];
  });

  it('InsertRow lets defaulted and optional columns out, and takes a Date for a date column', () => {
    const minimal: InsertRow<E, 'events'> = { id: 1, name: 'x', at: new Date() };
    const full: InsertRow<E, 'events'> = {
      id: 1,
      name: 'x',
      at: '2026-01-01T00:00:00.000Z',
      kind: 'party',
      seats: 3,
      note: null,
      meta: { tags: ['a'] },
    };
    // @ts-expect-error not one of the enum's values
    const badKind: InsertRow<E, 'events'> = { id: 1, name: 'x', at: new Date(), kind: 'concert' };
    // @ts-expect-error `at` has no default
    const noDate: InsertRow<E, 'events'> = { id: 1, name: 'x' };
    void [minimal, full, badKind, noDate];
  });

  it('Row has every column, with null for optional ones and the stored type for dates', () => {
    expectTypeOf<Row<E, 'events'>>().toEqualTypeOf<{
      readonly id: number;
      readonly name: string;
      readonly at: string;
      readonly kind: 'talk' | 'party';
      readonly seats: number;
      readonly note: string | null;
      readonly meta: { tags: string[] } | null;
    }>();
  });

  it('UpdateRow needs the id and takes any other columns', () => {
    const update: UpdateRow<S, 'books'> = { id: 'b1', pageCount: 3 };
    const idOnly: UpdateRow<S, 'books'> = { id: 'b1' };
    // @ts-expect-error id is required
    const noId: UpdateRow<S, 'books'> = { pageCount: 3 };
    // @ts-expect-error unknown column
    const extra: UpdateRow<S, 'books'> = { id: 'b1', pages: 3 };
    // @ts-expect-error the id of events is a number
    const wrongId: UpdateRow<E, 'events'> = { id: 'e1' };
    void [update, idOnly, noId, extra, wrongId];
  });
});

describe('mutator argument types', () => {
  it('execute takes the mutator’s arguments after tx', () => {
    const sssync = {} as SSSync<S, typeof mutators.defs>;
    void sssync.execute.createBook('id-1', 'Title');
    // @ts-expect-error id is a string
    void sssync.execute.createBook(1, 'x');
    // @ts-expect-error title is missing
    void sssync.execute.createBook('id-1');
    // @ts-expect-error no such mutator
    void sssync.execute.createBok('id-1', 'x');
    expectTypeOf(sssync.execute.putBook).parameter(0).toEqualTypeOf<{
      id: string;
      title: string;
      pageCount: number;
      authorId?: string | null;
    }>();
  });

  it('withArgs types execute from its validators (zod)', () => {
    const validated = defineMutators(schema, {
      setPages: withArgs([z.string(), z.number().int()], (tx, id, pageCount) => {
        expectTypeOf(id).toEqualTypeOf<string>();
        expectTypeOf(pageCount).toEqualTypeOf<number>();
        return tx.books.update({ id, pageCount });
      }),
      // Validators may transform: the mutator gets the output, execute takes the input.
      rename: withArgs([z.string(), z.string().transform((s) => s.length)], (_tx, id, length) => {
        expectTypeOf(id).toEqualTypeOf<string>();
        expectTypeOf(length).toEqualTypeOf<number>();
      }),
    });
    const sssync = {} as SSSync<S, typeof validated.defs>;
    void sssync.execute.setPages('b1', 3);
    void sssync.execute.rename('b1', 'New title');
    // @ts-expect-error pageCount is a number
    void sssync.execute.setPages('b1', '3');
    // @ts-expect-error both arguments are required
    void sssync.execute.setPages('b1');
    // @ts-expect-error execute takes the validator's input type (a string), not its output
    void sssync.execute.rename('b1', 3);
  });
});
