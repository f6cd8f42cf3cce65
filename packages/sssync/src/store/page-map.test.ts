import { describe, expect, it } from 'vitest';
import type { RowRecord } from '../schema/validate-row.js';
import { PAGE_SIZE, PageMap, type RowChange } from './page-map.js';

type Id = string | number;

/** Rows of one table as the engine holds them; `rowOf` reads them as a plan does. */
function tableOf(rows: readonly RowRecord[] = []) {
  const byId = new Map<Id, RowRecord>(rows.map((r) => [r.id as Id, r]));
  return {
    byId,
    rowOf: (_table: string, id: Id) => byId.get(id),
    put(...more: RowRecord[]): RowChange[] {
      for (const r of more) byId.set(r.id as Id, r);
      return more.map((r) => ({ table: 'books', id: r.id as Id, after: r }));
    },
    del(...ids: Id[]): RowChange[] {
      for (const id of ids) byId.delete(id);
      return ids.map((id) => ({ table: 'books', id, after: null }));
    },
  };
}

const book = (id: Id, title = `t${id}`): RowRecord => ({ id, title });
const books = (from: number, count: number) => Array.from({ length: count }, (_, i) => book(from + i));
const idsOf = (rows: readonly RowRecord[] | undefined) => rows?.map((r) => r.id);

/** A map holding `count` books, written in one plan. */
function filled(count: number) {
  const t = tableOf();
  const map = new PageMap();
  map.plan(t.put(...books(0, count)), t.rowOf).apply();
  return { t, map };
}

describe('PageMap', () => {
  it('fills pages of PAGE_SIZE rows in write order', () => {
    const t = tableOf();
    const plan = new PageMap().plan(t.put(...books(0, PAGE_SIZE + 3)), t.rowOf);
    expect([...plan.putPages.keys()]).toEqual(['books:0', 'books:1']);
    expect(idsOf(plan.putPages.get('books:0')?.rows)).toEqual(books(0, PAGE_SIZE).map((b) => b.id));
    expect(idsOf(plan.putPages.get('books:1')?.rows)).toEqual([PAGE_SIZE, PAGE_SIZE + 1, PAGE_SIZE + 2]);
    expect([...plan.reshaped]).toEqual(['books:0', 'books:1']);
    expect([plan.pageOf('books', 0), plan.pageOf('books', PAGE_SIZE + 2), plan.pageOf('books', -1)]).toEqual([
      'books:0',
      'books:1',
      undefined,
    ]);
  });

  it('rewrites the page of a changed row whole, with its rows in the same order and not reshaped', () => {
    const { t, map } = filled(PAGE_SIZE + 3);
    const plan = map.plan(t.put(book(5, 'changed')), t.rowOf);
    expect([...plan.putPages.keys()]).toEqual(['books:0']);
    const rows = plan.putPages.get('books:0')?.rows ?? [];
    expect([rows.length, rows[5]]).toEqual([PAGE_SIZE, book(5, 'changed')]);
    expect(idsOf(rows)).toEqual(books(0, PAGE_SIZE).map((b) => b.id));
    expect([plan.reshaped.size, plan.deletePages, plan.pageOf('books', 5)]).toEqual([0, [], 'books:0']);
    plan.apply();
    // The map still places every row where it was.
    const next = map.plan(t.put(book(PAGE_SIZE + 1, 'again')), t.rowOf);
    expect([...next.putPages.keys()]).toEqual(['books:1']);
  });

  it('puts a new row into a page with room, and takes a deleted row out of its page', () => {
    const { t, map } = filled(PAGE_SIZE + 3);
    const plan = map.plan([...t.put(book('new')), ...t.del(7)], t.rowOf);
    expect([...plan.putPages.keys()].sort()).toEqual(['books:0', 'books:1']);
    expect(plan.putPages.get('books:0')?.rows.length).toBe(PAGE_SIZE - 1);
    expect(idsOf(plan.putPages.get('books:1')?.rows)).toEqual([
      PAGE_SIZE,
      PAGE_SIZE + 1,
      PAGE_SIZE + 2,
      'new',
    ]);
    expect([...plan.reshaped].sort()).toEqual(['books:0', 'books:1']);
    expect([plan.pageOf('books', 7), plan.pageOf('books', 'new')]).toEqual([undefined, 'books:1']);
    plan.apply();
    // books:0 has room again: the next new row goes there.
    const next = map.plan(t.put(book('newer')), t.rowOf);
    expect([...next.putPages.keys()]).toEqual(['books:0']);
  });

  it('deletes a page whose last row goes, and tells ids of both types apart', () => {
    const t = tableOf();
    const map = new PageMap();
    map.plan(t.put(book(1), book('1')), t.rowOf).apply();
    const plan = map.plan([...t.del(1, '1')], t.rowOf);
    expect([plan.putPages.size, plan.deletePages]).toEqual([0, ['books:0']]);
    expect([plan.pageOf('books', 1), plan.pageOf('books', '1')]).toEqual([undefined, undefined]);
  });

  it('leaves out a row that rowOf no longer has (temporary-only), and says it is in no page', () => {
    const { t, map } = filled(10);
    const plan = map.plan(t.put(book(3, 'changed')), (table, id) =>
      id === 4 ? undefined : t.rowOf(table, id),
    );
    expect(idsOf(plan.putPages.get('books:0')?.rows)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    expect([[...plan.reshaped], plan.pageOf('books', 4), plan.pageOf('books', 5)]).toEqual([
      ['books:0'],
      undefined,
      'books:0',
    ]);
    plan.apply();
    // Once applied, the row is in no page: writing it again places it as a new row.
    const back = map.plan([{ table: 'books', id: 4, after: book(4) }], t.rowOf);
    expect(idsOf(back.putPages.get('books:0')?.rows)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9, 4]);
  });

  it('changes nothing until a plan is applied, so a failed commit leaves the map as on disk', () => {
    const { t, map } = filled(3);
    map.plan([...t.del(0, 1, 2), ...t.put(book('x'))], t.rowOf);
    t.put(...books(0, 3));
    t.byId.delete('x');
    const plan = map.plan(t.put(book(1, 'changed')), t.rowOf);
    expect(idsOf(plan.putPages.get('books:0')?.rows)).toEqual([0, 1, 2]);
    expect(plan.reshaped.size).toBe(0);
  });

  it('follows a row changed twice in one plan (deleted, then written again)', () => {
    const { t, map } = filled(3);
    const plan = map.plan([...t.del(1), ...t.put(book(1, 'back'))], t.rowOf);
    expect(idsOf(plan.putPages.get('books:0')?.rows)).toEqual([0, 2, 1]);
    expect(plan.pageOf('books', 1)).toBe('books:0');
  });

  it('loads pages of any size (older stores wrote smaller pages) and fills them up to PAGE_SIZE', () => {
    const [half, quarter] = [PAGE_SIZE / 2, PAGE_SIZE / 4];
    const added = half + 3 * quarter + 1;
    const t = tableOf(books(0, half + quarter));
    const map = new PageMap();
    map.load('books:0', { table: 'books', rows: books(0, half) });
    map.load('books:1', { table: 'books', rows: books(half, quarter) });
    const plan = map.plan(t.put(...books(half + quarter, added)), t.rowOf);
    expect([...plan.putPages].map(([id, p]) => [id, p.rows.length])).toEqual([
      ['books:0', PAGE_SIZE],
      ['books:1', PAGE_SIZE],
      ['books:2', 1],
    ]);
  });
});
