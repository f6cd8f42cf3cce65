import { expect } from 'vitest';
import type { RowRecord } from '../schema/validate-row.js';
import type { OutboxEntry, StoredPage } from '../store/store.js';
import { isSSSyncError, type SSSyncError, type SSSyncErrorCode } from '../util/errors.js';

/** Data builders and assertions shared by the store conformance suite. */

export const page = (table: string, rows: readonly RowRecord[]): StoredPage => ({ table, rows });

export const entry = (id: number, name = 'createBook'): OutboxEntry => ({
  id,
  name,
  args: [`book-${id}`, { title: `Title ${id}` }],
  timestamp: 1_700_000_000_000 + id,
  undo: [{ table: 'books', id: `book-${id}`, before: null }],
});

/**
 * `count` rows for page number `pageNo`, with string and number ids in descending order so that a
 * store that reorders rows is caught. Ids are unique per page number.
 */
export function rowsFor(pageNo: number, count: number): RowRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i % 2 === 0 ? `p${pageNo}-${count - i}` : pageNo * 100_000 + count - i,
    title: `page ${pageNo} row ${i}`,
    pageCount: i * 3,
    tags: [pageNo, i % 7 === 0 ? 'seventh' : 'other'],
    meta: { rank: i / 4, published: i % 3 === 0 },
  }));
}

/** Values chosen to break stores that go through text, JSON or another type system. */
export const awkwardRow: RowRecord = {
  id: 'row-😀-ünïcödé',
  emoji: '👩‍👩‍👧‍👦 family, 🇫🇷 flag, e\u0301 combining',
  scripts: '日本語 • العربية • עברית • Ελληνικά',
  controls: 'tab\tnewline\nquote" backslash\\ nul\u0000 end',
  loneSurrogate: 'broken \ud800 pair',
  empty: '',
  zero: 0,
  negative: -42,
  fraction: -0.1 + 0.3,
  tiny: 5e-324,
  huge: 1.7976931348623157e308,
  maxSafe: Number.MAX_SAFE_INTEGER,
  minSafe: Number.MIN_SAFE_INTEGER,
  yes: true,
  no: false,
  nothing: null,
  nested: { a: [1, 'two', null, { deep: [[], {}] }], 'key with spaces.and.dots': { $: 'dollar' } },
  list: [],
};

/** Awaits `promise` and asserts it rejected with an `SSSyncError` of `code`. */
export async function expectRejects(promise: Promise<unknown>, code: SSSyncErrorCode): Promise<SSSyncError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSSSyncError(outcome, code)) {
    expect.fail(
      `expected a rejection with SSSyncError ${code}, got ${outcome === undefined ? 'success' : String(outcome)}`,
    );
  }
  return outcome;
}
