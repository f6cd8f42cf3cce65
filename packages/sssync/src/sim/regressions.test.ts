/**
 * Bugs the simulator found, each as the smallest scenario that shows it (real client, real handler on
 * SQLite, in-process).
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory-store.js';
import { eventually } from '../test/sync-fixture.js';
import { appliedCounts, serverItems } from './app.js';
import { type App, backend, client, localItems, restore, type Wire } from './harness.js';
import { fakeResponse } from './network.js';
import { Prng } from './prng.js';
import { VirtualClock } from './virtual-clock.js';

/** Waits until a push carrying `tag` got an answer. */
async function pushed(app: App, wire: Wire, tag: string): Promise<void> {
  await eventually(async () => {
    await app.sync().catch(() => {});
    expect(
      wire.log.some((r) => r.kind === 'push' && r.body.mutations.some((m: any) => m.args[0] === tag)),
    ).toBe(true);
  });
}

async function drained(app: App): Promise<void> {
  await eventually(async () => {
    await app.sync().catch(() => {});
    expect(app.pendingCount).toBe(0);
  });
}

describe('regressions found by the simulator', () => {
  // Seed 114: a rejected mutation left the queue while the one before it, applied, waited for a pull.
  // After a restart the client pushed ids 1 and 3 together; the server refused the push (ids must be
  // consecutive, 400), the client took mutation 3 for poison, dropped it and reused its id: stuck.
  it('a restart with a hole in the queue (a rejected mutation) pushes consecutive ids only', async () => {
    const b = await backend();
    const store = memoryStore();
    const a = client(b, { store });
    await a.app.ready;
    a.wire.block.add('pull');
    await a.app.execute.put('t1', 'i1', 'One', 1, 'user-a');
    await pushed(a.app, a.wire, 't1');
    const refused = a.app.execute.inc('t2', 'missing', 1);
    await expect(refused.confirmed).rejects.toMatchObject({ details: { serverCode: 'MUTATOR_FAILED' } });
    a.wire.block.add('push');
    await a.app.execute.put('t3', 'i3', 'Three', 3, 'user-a');
    await a.app.close();

    const again = client(b, { store });
    await again.app.ready;
    expect(again.app.pendingCount).toBe(2);
    again.app.persist('/items');
    await drained(again.app);
    expect(again.wire.log.filter((r) => r.status !== 200)).toEqual([]);
    const batches = again.wire.log
      .filter((r) => r.kind === 'push')
      .map((r) => r.body.mutations.map((m: any) => m.id));
    expect(batches).toEqual([[1], [3]]);
    expect(serverItems(b.current.sqlite).map((i) => i.id)).toEqual(['i1', 'i3']);
    await eventually(async () =>
      expect((await localItems(again.app)).map((i) => i.id)).toEqual(['i1', 'i3']),
    );
    await again.app.close();
  });

  // PROTOCOL.md §10 promised a 60 s limit per request, but the client had none: one request that never
  // got an answer (a dead connection) stopped sync for good.
  it('a request that is never answered times out after 60 s and sync goes on', async () => {
    const b = await backend();
    const clock = new VirtualClock(() => new Prng(1).next());
    let calls = 0;
    const c = client(b, {
      clock,
      fetch: async (url, init) => {
        if (++calls === 1) return new Promise<Response>(() => {});
        const response = await b.current.handler(new Request(url, init));
        return fakeResponse(response.status, await response.text());
      },
    });
    await c.app.ready;
    await c.app.execute.put('t1', 'i1', 'One', 1, 'user-a');
    const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
    const runTimers = async (until: number) => {
      for (let at = clock.nextAt(); at !== undefined && at <= until; at = clock.nextAt()) {
        clock.advanceTo(at);
        for (let fn = clock.takeDue(); fn; fn = clock.takeDue()) fn();
        for (let i = 0; i < 20; i++) await settle();
      }
    };
    for (let i = 0; i < 20; i++) await settle();
    await runTimers(59_000);
    expect(calls).toBe(1);
    expect(c.app.pendingCount).toBe(1);
    await runTimers(70_000);
    expect(calls).toBeGreaterThan(1);
    expect(serverItems(b.current.sqlite).map((i) => i.id)).toEqual(['i1']);
    expect(c.app.pendingCount).toBe(0);
    await c.app.close();
  });

  // The client answered a gap (the server restored from a backup) by renumbering its whole queue under
  // a new client id, including mutations the restored server still had: those ran twice.
  it('after a restore, a gap does not re-apply the mutations the restored server still has', async () => {
    const b = await backend();
    const a = client(b);
    await a.app.ready;
    a.app.persist('/items');
    await a.app.execute.put('t1', 'i1', 'One', 0, 'user-a');
    await drained(a.app);
    a.wire.block.add('pull');
    await a.app.execute.inc('t2', 'i1', 1);
    await pushed(a.app, a.wire, 't2');
    const backup = b.current.sqlite.serialize();
    await a.app.execute.inc('t3', 'i1', 10);
    await pushed(a.app, a.wire, 't3');
    expect(a.app.pendingCount).toBe(2);
    await restore(b, backup);
    await a.app.execute.inc('t4', 'i1', 100);
    a.wire.block.clear();
    await drained(a.app);
    expect(a.wire.log.some((r) => r.answer?.error?.code === 'MUTATION_ID_GAP')).toBe(true);
    // t2 once (the backup has it), t3 again (the backup lost it; it was still queued), t4 once.
    expect(serverItems(b.current.sqlite)).toEqual([
      { id: 'i1', owner: 'user-a', reader: null, title: 'One', n: 111 },
    ]);
    expect(Object.fromEntries(appliedCounts(b.current.sqlite))).toEqual({ t1: 1, t2: 1, t3: 1, t4: 1 });
    await eventually(async () => expect((await localItems(a.app))[0]?.n).toBe(111));
    await a.app.close();
  });

  // Seed 3032 (--restore): the restored server had never seen the client, whose last push was applied
  // but not yet pulled. With nothing new to push there was no gap to notice, and pulls did not report
  // the client ("no news"): the mutation stayed queued forever and never reached the restored server.
  it('after a restore, a pull that no longer reports the client moves its queue to a new client id', async () => {
    const b = await backend();
    const backup = b.current.sqlite.serialize();
    const a = client(b);
    await a.app.ready;
    a.app.persist('/items');
    a.wire.block.add('pull');
    await a.app.execute.put('t1', 'i1', 'One', 1, 'user-a');
    await pushed(a.app, a.wire, 't1');
    const first = a.app.clientID;
    await restore(b, backup);
    a.wire.block.clear();
    await drained(a.app);
    expect(a.app.clientID).not.toBe(first);
    expect(serverItems(b.current.sqlite).map((i) => i.id)).toEqual(['i1']);
    expect(Object.fromEntries(appliedCounts(b.current.sqlite))).toEqual({ t1: 1 });
    await a.app.close();
  });

  // Seed 90179 (--steps 50 --store-faults --eviction --restore), after store format 2 (membership kept
  // beside each data page): a row that a pending mutation deleted was in no data page, so a restart
  // forgot that /items held it. The rebase then undid the delete to apply the server's answer, whose
  // `del` could not take the row back: the deleted row came back for good.
  it("a row deleted by a pending mutation stays held across a restart: the server's del removes it", async () => {
    const b = await backend();
    const other = client(b);
    await other.app.ready;
    await other.app.execute.put('o1', 'i0', 'Shared', 4, 'user-a');
    await drained(other.app);
    const store = memoryStore();
    const a = client(b, { store });
    await a.app.ready;
    const items = a.app.persist('/items');
    await items.ready;
    expect((await localItems(a.app)).map((i) => i.id)).toEqual(['i0']);
    a.wire.block.add('push');
    a.wire.block.add('pull');
    await a.app.execute.del('a1', 'i0');
    await a.app.close();
    // The row changes on the server meanwhile, so the next pull carries it.
    await other.app.execute.inc('o2', 'i0', 3);
    await drained(other.app);

    const again = client(b, { store });
    await again.app.ready;
    expect(await localItems(again.app)).toEqual([]);
    const reopened = again.app.persist('/items');
    await drained(again.app);
    await reopened.refresh();
    expect(serverItems(b.current.sqlite)).toEqual([]);
    expect(await localItems(again.app)).toEqual([]);
    await again.app.close();
    await other.app.close();
  });

  // The rule that makes the restore detection safe: a client that last pushed more than a week ago is
  // still reported to its own pulls (otherwise it would take the silence for a server that lost it).
  it('the server reports the pulling client however long ago it pushed', async () => {
    const b = await backend();
    const a = client(b);
    await a.app.ready;
    await a.app.execute.put('t1', 'i1', 'One', 1, 'user-a');
    await drained(a.app);
    b.current.sqlite.prepare('update sssync_clients set updated_at = 0').run();
    const first = a.app.clientID!;
    a.app.persist('/items');
    await drained(a.app);
    const pull = a.wire.log.filter((r) => r.kind === 'pull').at(-1)!;
    expect(pull.answer.lastMutationIDs).toEqual({ [first]: 1 });
    expect(a.app.clientID).toBe(first);
    await a.app.close();
  });
});
