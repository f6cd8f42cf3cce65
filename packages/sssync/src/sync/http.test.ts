import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteLength } from './http.js';

describe('byteLength', () => {
  it('counts what TextEncoder writes, lone surrogates included', () => {
    const units = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          units.map((u) => String.fromCharCode(...u)),
        ),
        (s) => {
          expect(byteLength(s)).toBe(new TextEncoder().encode(s).length);
        },
      ),
      { numRuns: 2_000 },
    );
    for (const s of ['', 'a', 'é', '€', '😀', '\ud800', '\udc00x', 'x\ud83d', '\ud83d\ude00\ud83d'])
      expect(byteLength(s)).toBe(new TextEncoder().encode(s).length);
  });
});
