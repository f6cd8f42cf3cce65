import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDatabase } from '../server/dialects/sqlite.js';
import { createSyncHandler } from '../server/handler.js';
import { testModeOptions } from '../server/test-mode.js';
import { expectConformant } from './expect-conformant.js';

describe('the conformance suite against createSyncHandler on SQLite', () => {
  const database = sqliteDatabase(':memory:');
  const errors: unknown[] = [];
  const handler = createSyncHandler({ ...testModeOptions(), database, onError: (e) => errors.push(e) });
  afterAll(() => database.close());

  it('passes every check', async () => {
    await expectConformant({
      url: 'http://server.test/sync',
      fetch: (input, init) => handler(new Request(input, init)),
    });
    expect(errors).toEqual([]);
  });
});
