/** The event log a user owns: export the client's mutations as JSON, import them into a fresh client. */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory-store.js';
import { eventually, makeClient, makeServer } from '../test/sync-fixture.js';
import { MutationLog, type SSSyncLog } from './event-log.js';

type Client = ReturnType<typeof makeClient>['client'];

async function settled(client: Client): Promise<void> {
  await eventually(async () => {
    await client.sync();
    expect(client.pendingCount).toBe(0);
  });
}

describe('exportLog / importLog', () => {
  it('exports the mutations made since start (synced or not) and those pending from before', async () => {
    const server = makeServer();
    const store = memoryStore();
    const first = makeClient(server, { store });
    first.fetch.online = false;
    await first.client.ready;
    await first.client.execute.addBook('b0', 'From last session');
    await first.client.close();

    const { client } = makeClient(server, { store });
    await client.ready;
    client.persist('/user/books');
    await client.execute.addBook('b1', 'One');
    await client.execute.setPages('b1', 12);
    await settled(client); // synced mutations stay in the log
    await client.execute.renameBook('b1', '!refused'); // the server rejects it: it leaves the log
    await settled(client);
    await client.execute.addPages('b1', 3); // pending
    const log = await client.exportLog({ data: true });
    expect(JSON.parse(JSON.stringify(log))).toEqual(log); // plain, readable JSON
    expect(log).toMatchObject({ format: 'sssync-log', version: 1, schemaVersion: 1 });
    expect(log.mutations.map((m) => [m.name, m.args])).toEqual([
      ['addBook', ['b0', 'From last session']],
      ['addBook', ['b1', 'One']],
      ['setPages', ['b1', 12]],
      ['addPages', ['b1', 3]],
    ]);
    expect(log.mutations.every((m) => typeof m.timestamp === 'number')).toBe(true);
    expect(log.data?.books?.map((b) => b.id).sort()).toEqual(['b0', 'b1']);
    await client.close();
  });

  it('imports into a fresh client: replayed through the same mutators, synced to the server', async () => {
    const server = makeServer();
    const { client: old, fetch } = makeClient(server);
    fetch.online = false; // a device that never synced: its log is the only copy of its work
    await old.ready;
    await old.execute.addBook('b1', 'One');
    await old.execute.addPages('b1', 5);
    await old.undo(); // the undo is in the log too, as __sssync_restore
    await old.execute.addBook('b2', 'Two');
    const text = JSON.stringify(await old.exportLog());
    const expected = await old.query.books.orderBy('id').run();
    await old.close();
    expect(server.rows('books')).toEqual([]);

    const { client } = makeClient(server);
    await client.ready;
    client.persist('/user/books');
    expect(await client.importLog(text)).toEqual({ imported: 4 });
    expect(await client.query.books.orderBy('id').run()).toEqual(expected);
    await settled(client);
    const onServer = server.rows('books').sort((a, b) => String(a.id).localeCompare(String(b.id)));
    expect(onServer).toEqual(expected);
    expect(expected.map((b) => [b.id, b.pages])).toEqual([
      ['b1', 0],
      ['b2', 0],
    ]);
    // An import is one undo step.
    expect(await client.undo()).toEqual({ undone: 2, skipped: [] });
    expect(await client.query.books.run()).toEqual([]);
    await client.close();
  });

  it('an unknown mutator name refuses the whole log before anything is applied', async () => {
    const server = makeServer();
    const { client } = makeClient(server);
    await client.ready;
    const log: SSSyncLog = {
      format: 'sssync-log',
      version: 1,
      schemaVersion: 1,
      exportedAt: new Date().toISOString(),
      mutations: [
        { name: 'addBook', args: ['b1', 'One'], timestamp: 1 },
        { name: 'deleteEverything', args: [], timestamp: 2 },
      ],
    };
    await expect(client.importLog(log)).rejects.toMatchObject({
      code: 'UNKNOWN_MUTATOR',
      details: { index: 1, name: 'deleteEverything' },
    });
    const inherited = { ...log, mutations: [{ name: 'constructor', args: [], timestamp: 1 }] };
    await expect(client.importLog(inherited)).rejects.toMatchObject({ code: 'UNKNOWN_MUTATOR' });
    const badArgs = { ...log, mutations: [{ name: 'addBook', args: [() => 1], timestamp: 1 }] };
    await expect(client.importLog(badArgs)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.importLog({ ...log, schemaVersion: 2 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(client.importLog({ mutations: [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await client.query.books.run()).toEqual([]);
    expect(client.pendingCount).toBe(0);
    await client.close();
  });

  it('a mutator failing during replay stops the import and says how many were applied', async () => {
    const server = makeServer();
    const { client } = makeClient(server);
    await client.ready;
    await client.execute.addBook('b2', 'Already here');
    const log = {
      format: 'sssync-log',
      version: 1,
      schemaVersion: 1,
      mutations: [
        { name: 'addBook', args: ['b1', 'One'], timestamp: 1 },
        { name: 'addBook', args: ['b2', 'Two'], timestamp: 2 },
        { name: 'addBook', args: ['b3', 'Three'], timestamp: 3 },
      ],
    };
    await expect(client.importLog(log)).rejects.toMatchObject({
      code: 'DUPLICATE_ID',
      details: { index: 1, applied: 1 },
    });
    expect((await client.query.books.orderBy('id').run()).map((b) => b.id)).toEqual(['b1', 'b2']);
    await client.close();
  });
});

describe('MutationLog bookkeeping', () => {
  const entry = (name: string) => ({ name, args: [], timestamp: 0 });
  const names = (log: MutationLog) => log.mutations.map((m) => m.name);

  it('settles, renumbers, removes and trims by id, with ids reused after a renumbering', () => {
    const log = new MutationLog(5);
    for (const [id, name] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ] as const)
      log.record(id, entry(name));
    log.settle(1);
    log.settle(2);
    // A new client id: the pending ones move on, and id 1 is used again by a new mutation.
    log.renumber(
      new Map([
        [3, 1],
        [4, 2],
      ]),
    );
    log.record(3, entry('e'));
    log.remove(2); // d, now id 2, was rejected; b (settled, once id 2) stays
    expect(names(log)).toEqual(['a', 'b', 'c', 'e']);
    log.remove(1 + 100); // unknown: nothing
    log.settle(1); // c
    log.remove(1); // already settled: stays
    expect(names(log)).toEqual(['a', 'b', 'c', 'e']);
    for (let id = 4; id <= 6; id++) log.record(id, entry(`n${id}`));
    expect(names(log)).toEqual(['c', 'e', 'n4', 'n5', 'n6']); // the oldest leave beyond 5
    log.remove(3);
    expect(names(log)).toEqual(['c', 'n4', 'n5', 'n6']);
  });
});
