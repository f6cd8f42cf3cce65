import { describe, expect, it } from 'vitest';
import type { SyncDatabase } from './database.js';
import { withRetries } from './database.js';

const fakeDb = (retryable: (e: unknown) => boolean) =>
  ({ isRetryable: retryable }) as unknown as SyncDatabase;

describe('withRetries', () => {
  it('runs a transaction again after a deadlock or serialization failure', async () => {
    let calls = 0;
    const result = await withRetries(
      fakeDb((e) => (e as { code?: string }).code === '40001'),
      async () => {
        if (++calls < 3) throw Object.assign(new Error('could not serialize'), { code: '40001' });
        return 'done';
      },
    );
    expect([result, calls]).toEqual(['done', 3]);
  });

  it('gives up with a 503 SERVER_ERROR, and passes other errors through at once', async () => {
    let calls = 0;
    const busy = withRetries(
      fakeDb(() => true),
      async () => {
        calls++;
        throw new Error('deadlock');
      },
    );
    await expect(busy).rejects.toMatchObject({ code: 'SERVER_ERROR', details: { status: 503 } });
    expect(calls).toBe(6);
    const other = withRetries(
      fakeDb(() => false),
      async () => {
        throw new Error('syntax');
      },
    );
    await expect(other).rejects.toThrow('syntax');
  });
});
