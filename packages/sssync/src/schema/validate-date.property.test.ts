import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { c } from './index.js';
import { normalizeValue } from './validate-row.js';

const spec = c.date();
const two = (n: number) => String(n).padStart(2, '0');

/** What a date column always did: `new Date(s).toISOString()`, or refuse. */
function slow(s: string): string | 'refused' {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? 'refused' : d.toISOString();
}
function fast(s: string): string | 'refused' {
  try {
    return normalizeValue('t', 'at', spec, s) as string;
  } catch {
    return 'refused';
  }
}

describe('date columns (property)', () => {
  it('normalize exactly as toISOString() does, including strings the fast path accepts', () => {
    // Near-canonical strings: every field may be out of range (month 13, day 30 of February, hour 24…).
    const nearCanonical = fc
      .record({
        y: fc.integer({ min: 0, max: 9999 }),
        mo: fc.integer({ min: 0, max: 19 }),
        d: fc.integer({ min: 0, max: 39 }),
        h: fc.integer({ min: 0, max: 29 }),
        mi: fc.integer({ min: 0, max: 69 }),
        s: fc.integer({ min: 0, max: 69 }),
        ms: fc.integer({ min: 0, max: 999 }),
      })
      .map(
        ({ y, mo, d, h, mi, s, ms }) =>
          `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}.${String(ms).padStart(3, '0')}Z`,
      );
    fc.assert(
      fc.property(fc.oneof(nearCanonical, fc.string()), (s) => {
        expect(fast(s)).toBe(slow(s));
      }),
      { numRuns: 5000 },
    );
  });
});
