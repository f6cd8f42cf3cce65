import { describe, expect, it, vi } from 'vitest';
import { eventually, makeClient, makeServer } from '../test/sync-fixture.js';
import { backoffDelay } from './backoff.js';

describe('retry timing', () => {
  it('backoff grows exponentially, is jittered within [ceiling/2, ceiling], and is capped', () => {
    expect(backoffDelay(0, { baseMs: 100 }, () => 0)).toBe(50);
    expect(backoffDelay(0, { baseMs: 100 }, () => 1)).toBe(100);
    expect(backoffDelay(3, { baseMs: 100 }, () => 1)).toBe(800);
    expect(backoffDelay(3, { baseMs: 100 }, () => 0.5)).toBe(600);
    expect(backoffDelay(40, { baseMs: 100, maxMs: 5000 }, () => 1)).toBe(5000);
  });

  it('a 429 waits for Retry-After before the next request', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    try {
      const server = makeServer();
      let limited = true;
      const calls: number[] = [];
      const { client } = makeClient(server, {
        fetch: async (input, init) => {
          calls.push(Date.now());
          if (limited) {
            limited = false;
            return new Response(
              JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'slow', retryAfter: 7 } }),
              {
                status: 429,
                headers: { 'retry-after': '7' },
              },
            );
          }
          return server.fetch(input, init);
        },
      });
      await client.ready;
      await client.execute.addBook('b1', 'x');
      await vi.advanceTimersByTimeAsync(10);
      expect(calls).toHaveLength(1);
      expect(client.status.lastError?.code).toBe('RATE_LIMITED');
      await vi.advanceTimersByTimeAsync(6900);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(200);
      await eventually(() => expect(server.rows('books')).toHaveLength(1));
      expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(7000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('coming back online (the browser event) retries at once instead of waiting out the backoff', async () => {
    const server = makeServer();
    const target = new EventTarget();
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { add: g.addEventListener, remove: g.removeEventListener, nav: g.navigator };
    g.addEventListener = target.addEventListener.bind(target);
    g.removeEventListener = target.removeEventListener.bind(target);
    Object.defineProperty(globalThis, 'navigator', { value: { onLine: true }, configurable: true });
    try {
      const { client, fetch } = makeClient(server, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
      await client.ready;
      fetch.online = false;
      await client.execute.addBook('b1', 'x');
      await eventually(() => expect(client.status.online).toBe(false));
      fetch.online = true;
      target.dispatchEvent(new Event('online'));
      await eventually(() => expect(server.rows('books')).toHaveLength(1));
      await client.close();
    } finally {
      g.addEventListener = saved.add;
      g.removeEventListener = saved.remove;
      Object.defineProperty(globalThis, 'navigator', { value: saved.nav, configurable: true });
    }
  });
});
