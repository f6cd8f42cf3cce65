/**
 * Client-side faults (issue 8 part 4), each as a targeted scenario and inside simulator runs: a store
 * commit that throws, data evicted under the app, a server moved back in time by a restored backup, and
 * a client clock hours off the server's. (IndexedDB's quota in Chromium is tested elsewhere.)
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { eventually } from '../test/sync-fixture.js';
import { serverItems } from './app.js';
import { type App, backend, client, localItems, restore } from './harness.js';
import { report, type SimOptions, simulate } from './simulator.js';

async function drained(app: App): Promise<void> {
  await eventually(async () => {
    await app.sync().catch(() => {});
    expect(app.pendingCount).toBe(0);
  });
}

/** Simulator runs with one kind of fault turned on; returns every trace for further checks. */
async function simRuns(options: Omit<SimOptions, 'seed'>, seeds: number): Promise<string[]> {
  const failures: string[] = [];
  const traces: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await simulate({ ...options, seed, steps: 25 });
    if (!r.ok) failures.push(report(r));
    traces.push(r.trace.join('\n'));
  }
  expect(failures.join('\n\n')).toBe('');
  return traces;
}

const dump = async (store: Store) => {
  const s = await store.load();
  return JSON.stringify({ pages: [...s.pages], outbox: s.outbox, meta: [...s.meta] });
};

describe('client faults', () => {
  it('the store throws mid-transaction: the store holds what it held before, memory matches it, sync goes on', async () => {
    const b = await backend();
    const other = client(b);
    await other.app.ready;
    await other.app.execute.put('o1', 'i9', 'From the other device', 9, 'user-a');
    await drained(other.app);

    const inner = memoryStore();
    let failing = false;
    let failures = 0;
    const store: Store = {
      kind: 'flaky',
      open: (n) => inner.open(n),
      load: () => inner.load(),
      close: () => inner.close(),
      commit: (batch) => {
        if (!failing) return inner.commit(batch);
        failures++;
        return Promise.reject(new Error('injected: transaction aborted'));
      },
    };
    const a = client(b, { store });
    await a.app.ready;
    a.wire.block.add('push');
    a.wire.block.add('pull');
    await a.app.execute.put('t1', 'i1', 'Mine', 1, 'user-a');
    await a.app.execute.inc('t2', 'i1', 5);
    const before = await dump(inner);
    const shown = await localItems(a.app);
    // The push goes through; the pull's answer (i9, and both mutations applied) fails to commit.
    failing = true;
    a.wire.block.clear();
    const items = a.app.persist('/items');
    await eventually(() => expect(a.app.status.lastError?.code).toBe('STORE_WRITE_FAILED'));
    expect(failures).toBeGreaterThan(0);
    expect(await dump(inner)).toBe(before);
    expect(await localItems(a.app)).toEqual(shown);
    expect(a.app.pendingCount).toBe(2);
    // A fresh start on that store shows the same.
    const copy = memoryStore();
    await copy.open('sim');
    const snap = await inner.load();
    await copy.commit({ putPages: snap.pages, putOutbox: snap.outbox, putMeta: snap.meta });
    const reopened = client(b, { store: copy });
    reopened.wire.block.add('push');
    reopened.wire.block.add('pull');
    await reopened.app.ready;
    expect(await localItems(reopened.app)).toEqual(shown);
    expect(reopened.app.pendingCount).toBe(2);
    await reopened.app.close();
    // The next try commits, and everything syncs.
    failing = false;
    await drained(a.app);
    await items.refresh();
    expect(await localItems(a.app)).toEqual(serverItems(b.current.sqlite));
    expect(serverItems(b.current.sqlite).map((i) => [i.id, i.n])).toEqual([
      ['i1', 6],
      ['i9', 9],
    ]);
    await a.app.close();
    await other.app.close();
  });

  it('store commits that throw, in 100 simulator runs: nothing lost, applied twice, or out of step with memory', async () => {
    const traces = await simRuns({ storeFaults: true }, 100);
    expect(traces.filter((t) => t.includes('STORE_WRITE_FAILED')).length).toBeGreaterThan(5);
  }, 120_000);

  // Decided: eviction takes the outbox with the rows (one database), so writes still queued then are
  // gone; the client starts over as a new client group, loads everything from the server and syncs on.
  it('data evicted between sessions, pending writes included: the client re-bootstraps and re-syncs cleanly', async () => {
    const b = await backend();
    const a = client(b);
    await a.app.ready;
    a.app.persist('/items');
    await a.app.execute.put('t1', 'i1', 'Synced', 1, 'user-a');
    await drained(a.app);
    a.wire.block.add('push');
    await a.app.execute.put('t2', 'i2', 'Queued, then evicted', 2, 'user-a');
    await a.app.close();

    const fresh = client(b, { store: memoryStore() });
    await fresh.app.ready;
    expect(fresh.app.pendingCount).toBe(0);
    const items = fresh.app.persist('/items');
    await items.ready;
    expect((await localItems(fresh.app)).map((i) => i.id)).toEqual(['i1']);
    await fresh.app.execute.inc('t3', 'i1', 10);
    await drained(fresh.app);
    await items.refresh();
    expect(serverItems(b.current.sqlite)).toEqual([
      { id: 'i1', owner: 'user-a', reader: null, title: 'Synced', n: 11 },
    ]);
    expect(await localItems(fresh.app)).toEqual(serverItems(b.current.sqlite));
    await fresh.app.close();
  });

  it('eviction in 100 simulator runs: evicted clients converge, nothing else is lost', async () => {
    const traces = await simRuns({ eviction: true }, 100);
    expect(traces.filter((t) => t.includes('is evicted')).length).toBeGreaterThan(5);
  }, 120_000);

  // The restored server lost mutation 2, which the client saw applied, and hands out versions again
  // that the client's cursor names in the lost timeline (the operator did not rotate the epoch). The
  // pull reports the client's lastMutationID as 1 < 2: the client reloads everything in full.
  it('a server restored from a backup (epoch not rotated): the client sees its lastMutationID go back and reloads', async () => {
    const b = await backend();
    const a = client(b);
    await a.app.ready;
    const items = a.app.persist('/items');
    await a.app.execute.put('t1', 'i1', 'Kept', 1, 'user-a');
    await drained(a.app);
    await items.refresh();
    const backup = b.current.sqlite.serialize();
    await a.app.execute.put('t2', 'i2', 'Lost with the restore', 2, 'user-a');
    await drained(a.app);
    await items.refresh();
    expect((await localItems(a.app)).map((i) => i.id)).toEqual(['i1', 'i2']);
    const first = a.app.clientID;
    await restore(b, backup, { rotateEpoch: false });
    // Another device writes to the restored server, past the client's cursor.
    const other = client(b);
    await other.app.ready;
    for (let i = 0; i < 4; i++)
      await other.app.execute.put(`o${i}`, `j${i}`, 'After the restore', i, 'user-a');
    await drained(other.app);
    await eventually(async () => {
      await items.refresh().catch(() => {});
      expect(await localItems(a.app)).toEqual(serverItems(b.current.sqlite));
    });
    expect(a.app.clientID).not.toBe(first);
    expect((await localItems(a.app)).map((i) => i.id)).toEqual(['i1', 'j0', 'j1', 'j2', 'j3']);
    await a.app.close();
    await other.app.close();
  });

  it('a server restored from a backup in 100 simulator runs: pending writes applied once, everyone converges', async () => {
    const traces = await simRuns({ restore: true }, 100);
    expect(traces.filter((t) => t.includes('server restored')).length).toBeGreaterThan(8);
  }, 120_000);

  it('a client clock hours or days off the server changes nothing: the same run, step for step', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const options = { seed, steps: 25, storeFaults: true, eviction: true, restore: true };
      const base = await simulate(options);
      expect(base.ok, base.ok ? '' : report(base)).toBe(true);
      for (const skew of [5 * 3600_000, -5 * 3600_000, 30 * 24 * 3600_000]) {
        const skewed = await simulate({ ...options, clientClockSkewMs: skew });
        expect(skewed.trace).toEqual(base.trace);
        expect(skewed.finalItems).toEqual(base.finalItems);
      }
    }
  }, 60_000);
});
