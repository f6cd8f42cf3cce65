import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { c, defineSchema, table } from '../schema/index.js';
import { Database } from './database.js';
import type { Row } from './predicate.js';

const schema = defineSchema({
  version: 1,
  tables: { t: table({ id: c.number(), a: c.number(), b: c.string() }).index('a').index(['b', 'a']) },
});

const rowArb = fc.record({
  id: fc.integer({ min: 0, max: 400 }),
  a: fc.integer({ min: -5, max: 5 }),
  b: fc.constantFrom('', 'x', 'y', 'é'),
});
const opArb = fc.oneof(
  { weight: 4, arbitrary: rowArb.map((row) => ({ put: row as Row })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 }).map((id) => ({ del: id })) },
);
// Phases: some ops applied one by one, some inside `bulk` (small ones replay, big ones rebuild).
const phaseArb = fc.record({
  bulk: fc.boolean(),
  ops: fc.oneof(fc.array(opArb, { maxLength: 40 }), fc.array(opArb, { minLength: 1100, maxLength: 1500 })),
});

describe('Database.bulk (property)', () => {
  it('leaves every index equal to the rows sorted, whether it replays or rebuilds', () => {
    fc.assert(
      fc.property(fc.array(phaseArb, { minLength: 1, maxLength: 4 }), (phases) => {
        const db = new Database(schema);
        const t = db.table('t');
        const run = (ops: (typeof phases)[number]['ops']) => {
          for (const op of ops) {
            if ('put' in op) db.apply('t', op.put.id as number, Object.freeze({ ...op.put }));
            else db.apply('t', op.del, null);
          }
        };
        for (const { bulk, ops } of phases) {
          if (bulk) db.bulk(() => run(ops));
          else run(ops);
          for (const index of t.allIndexes()) {
            const sorted = [...t.rows.values()].sort(index.compare);
            expect(index.size).toBe(t.rows.size);
            expect([...index.scan()]).toEqual(sorted);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('an index created inside bulk is complete after it', () => {
    const db = new Database(schema);
    const t = db.table('t');
    db.bulk(() => {
      for (let i = 0; i < 3000; i++) db.apply('t', i, Object.freeze({ id: i, a: i % 7, b: 'x' }));
      t.ensureIndex(['a', 'id']);
      for (let i = 3000; i < 3010; i++) db.apply('t', i, Object.freeze({ id: i, a: 1, b: 'y' }));
      db.apply('t', 5, null);
    });
    const index = t.findIndex(['a', 'id'])!;
    expect(index.size).toBe(3009);
    expect([...index.scan()]).toEqual([...t.rows.values()].sort(index.compare));
  });
});
