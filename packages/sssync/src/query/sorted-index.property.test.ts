import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareValues } from './compare.js';
import type { Row } from './predicate.js';
import { SortedIndex } from './sorted-index.js';

const COLUMNS = ['a', 'b', 'id'] as const;
const values = {
  a: fc.constantFrom(null, -1, -0.5, 0, 1, 2),
  b: fc.constantFrom(null, '', 'a', 'ab', 'b', 'é', '😀', '\uff46'),
  id: fc.integer({ min: 0, max: 30 }),
};

const rowArb = fc.record({ id: values.id, a: values.a, b: values.b });

const opArb = fc.oneof(
  { weight: 3, arbitrary: rowArb.map((row) => ({ kind: 'insert' as const, row })) },
  { weight: 1, arbitrary: rowArb.map((row) => ({ kind: 'remove' as const, row })) },
);

const boundArb = fc.record({
  key: fc.array(fc.oneof(values.a, values.b, values.id), { maxLength: 3 }),
  row: fc.option(rowArb, { nil: undefined }),
  strict: fc.boolean(),
  reverse: fc.boolean(),
});

describe('SortedIndex (property)', () => {
  it('scans forwards and backwards from any bound like a sorted filter', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...COLUMNS), { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(opArb, { maxLength: 150 }),
        fc.array(boundArb, { minLength: 1, maxLength: 6 }),
        (columns, maxBlock, ops, bounds) => {
          const index = new SortedIndex(columns, maxBlock);
          const model = new Map<number, Row>();
          const byIndexOrder = (x: Row, y: Row): number => {
            for (const col of [...columns, 'id']) {
              const c = compareValues(x[col], y[col]);
              if (c !== 0) return c;
            }
            return 0;
          };
          for (const op of ops) {
            const stored = model.get(op.row.id);
            if (op.kind === 'insert') {
              // As TableData does: replacing a row removes its old entry first.
              if (stored) expect(index.remove(stored)).toBe(true);
              index.insert(op.row);
              model.set(op.row.id, op.row);
            } else {
              // Removing succeeds only for the version that is in the index (or one equal in index order).
              const expected = stored !== undefined && byIndexOrder(stored, op.row) === 0;
              expect(index.remove(op.row)).toBe(expected);
              if (expected) model.delete(op.row.id);
            }
            expect(index.size).toBe(model.size);
          }
          const sorted = [...model.values()].sort(byIndexOrder);
          expect([...index.scan()]).toEqual(sorted);
          expect([...index.scan(undefined, { reverse: true })]).toEqual(sorted.slice().reverse());
          for (const { key, row, strict, reverse } of bounds) {
            const prefix = key.slice(0, columns.length);
            const cmp = row ? (r: Row) => index.compare(r, row) : (r: Row) => index.comparePrefix(r, prefix);
            const expected = reverse
              ? sorted.filter((r) => (strict ? cmp(r) < 0 : cmp(r) <= 0)).reverse()
              : sorted.filter((r) => (strict ? cmp(r) > 0 : cmp(r) >= 0));
            expect([...index.scan(cmp, { strict, reverse })]).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
