import { compareValues } from './compare.js';
import type { Row } from './predicate.js';

const MAX_BLOCK = 512;

/**
 * A secondary index: the table's rows sorted by some columns (ascending), then by id. Stored as a
 * list of blocks of at most 512 rows, so an insert or delete costs O(log n + 512) whatever the table
 * size — a flat sorted array would move O(n) entries per write.
 */
export class SortedIndex {
  readonly columns: readonly string[];
  private readonly maxBlock: number;
  private blocks: Row[][] = [];
  private count = 0;

  /** `maxBlock` is for tests, so that a few rows already span several blocks. */
  constructor(columns: readonly string[], maxBlock = MAX_BLOCK) {
    this.columns = columns;
    this.maxBlock = maxBlock;
  }

  get size(): number {
    return this.count;
  }

  /** Index order: the indexed columns ascending, then id ascending. */
  compare = (a: Row, b: Row): number => {
    for (const col of this.columns) {
      const c = compareValues(a[col], b[col]);
      if (c !== 0) return c;
    }
    return compareValues(a.id, b.id);
  };

  /** Compares a row's leading columns with a key prefix (ignoring id). */
  comparePrefix(row: Row, key: readonly unknown[]): number {
    for (let i = 0; i < key.length; i++) {
      const c = compareValues(row[this.columns[i]!], key[i]);
      if (c !== 0) return c;
    }
    return 0;
  }

  /** Replaces the content with `rows` (any order): one sort, blocks half full so inserts have room. */
  rebuild(rows: Iterable<Row>): void {
    const sorted = [...rows].sort(this.compare);
    const size = Math.max(1, this.maxBlock >> 1);
    this.blocks = [];
    for (let i = 0; i < sorted.length; i += size) this.blocks.push(sorted.slice(i, i + size));
    this.count = sorted.length;
  }

  insert(row: Row): void {
    this.count++;
    if (this.blocks.length === 0) {
      this.blocks.push([row]);
      return;
    }
    const bi = Math.min(
      this.blockFor((r) => this.compare(r, row)),
      this.blocks.length - 1,
    );
    const block = this.blocks[bi]!;
    block.splice(
      lowerIn(block, (r) => this.compare(r, row)),
      0,
      row,
    );
    if (block.length > this.maxBlock) this.blocks.splice(bi + 1, 0, block.splice(block.length >> 1));
  }

  /** Removes the entry of `row` (the exact version that was inserted). Returns whether it was there. */
  remove(row: Row): boolean {
    const bi = this.blockFor((r) => this.compare(r, row));
    const block = this.blocks[bi];
    if (!block) return false;
    const i = lowerIn(block, (r) => this.compare(r, row));
    const found = block[i];
    if (!found || found.id !== row.id || this.compare(found, row) !== 0) return false;
    block.splice(i, 1);
    if (block.length === 0) this.blocks.splice(bi, 1);
    this.count--;
    return true;
  }

  /**
   * Rows from the first one where `cmp(row) >= 0` (or `> 0` when `strict`), forwards; or, when
   * `reverse`, from the last one where `cmp(row) <= 0` (`< 0` when strict), backwards.
   * `cmp` must be monotone in index order. With no `cmp`, from the start (or the end).
   */
  *scan(cmp?: (row: Row) => number, opts: { strict?: boolean; reverse?: boolean } = {}): Generator<Row> {
    const { strict = false, reverse = false } = opts;
    if (!reverse) {
      const f = cmp ? (strict ? (r: Row) => (cmp(r) > 0 ? 1 : -1) : cmp) : () => 0;
      let bi = this.blockFor(f);
      let i = bi < this.blocks.length ? lowerIn(this.blocks[bi]!, f) : 0;
      for (; bi < this.blocks.length; bi++, i = 0) {
        const block = this.blocks[bi]!;
        for (; i < block.length; i++) yield block[i]!;
      }
      return;
    }
    // Backwards: start before the first row that is past the bound.
    const past = cmp ? (strict ? cmp : (r: Row) => (cmp(r) > 0 ? 1 : -1)) : () => -1;
    let bi = Math.min(this.blockFor(past), this.blocks.length - 1);
    if (bi < 0) return;
    let i = lowerIn(this.blocks[bi]!, past) - 1;
    for (; bi >= 0; bi--) {
      const block = this.blocks[bi]!;
      if (i === Number.MAX_SAFE_INTEGER) i = block.length - 1;
      for (; i >= 0; i--) yield block[i]!;
      i = Number.MAX_SAFE_INTEGER;
    }
  }

  /** The first block whose last row satisfies `f(last) >= 0` (blocks.length if none). */
  private blockFor(f: (row: Row) => number): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = this.blocks[mid]!;
      if (f(block[block.length - 1]!) >= 0) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** The first position in a sorted block where `f(row) >= 0`. */
function lowerIn(block: readonly Row[], f: (row: Row) => number): number {
  let lo = 0;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (f(block[mid]!) >= 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
