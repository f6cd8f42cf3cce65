import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory-store.js';
import type { Store, StoredPage } from '../store/store.js';
import { mutators, schema } from '../test/sync-fixture.js';
import { MEMBERSHIP_TABLE, membershipPageId, rowKey } from './membership.js';
import { META, STORE_FORMAT } from './meta.js';
import { Replica } from './replica.js';

const open = (store: Store) => Replica.open(store, 'r', schema, mutators.defs);
const book = (id: string) => ({ id, owner: 'alice', title: id, pages: 1 });
const put = (path: string, ...ids: string[]) => ({
  resources: [
    {
      path,
      temporary: false,
      patch: ids.map((id) => ({ op: 'put' as const, table: 'books', row: book(id) })),
    },
  ],
});
const del = (path: string, id: string) => ({
  resources: [{ path, temporary: false, patch: [{ op: 'del' as const, table: 'books', id }] }],
});

async function snapshot(store: Store) {
  await store.open('r');
  const snap = await store.load();
  await store.close();
  return snap;
}

describe('resource membership in the store (format 2: one record per data page)', () => {
  it('survives a reopen: a row two resources share leaves only when both let it go', async () => {
    const store = memoryStore();
    let r = await open(store);
    await r.applyServer(put('/a', 'b1', 'b2'));
    await r.applyServer(put('/b', 'b2', 'b3'));
    await r.close();

    const snap = await snapshot(store);
    const memberPages = [...snap.pages].filter(([, p]) => p.table === MEMBERSHIP_TABLE);
    expect(memberPages).toHaveLength(1);
    const [[pageId, page]] = memberPages as [[string, StoredPage]];
    const record = page.rows[0] as unknown as { id: string; sets: string[][]; of: number[] };
    expect(pageId).toBe(membershipPageId(record.id));
    const data = snap.pages.get(record.id)!;
    const holders = Object.fromEntries(data.rows.map((row, i) => [row.id, record.sets[record.of[i]!]]));
    expect(holders).toEqual({ b1: ['/a'], b2: ['/a', '/b'], b3: ['/b'] });

    r = await open(store);
    await r.applyServer(del('/a', 'b2'));
    expect(r.db.table('books').get('b2')).toBeDefined();
    await r.close();
    r = await open(store);
    expect(r.db.table('books').get('b2')).toBeDefined();
    await r.applyServer(del('/b', 'b2'));
    expect(r.db.table('books').get('b2')).toBeUndefined();
    await r.close();
    r = await open(store);
    expect([...r.db.table('books').rows.keys()].sort()).toEqual(['b1', 'b3']);
    await r.close();
  });

  it('upgrades a format-1 store (one record per row) in one commit, keeping who holds what', async () => {
    const store = memoryStore();
    let r = await open(store);
    await r.applyServer(put('/a', 'b1', 'b2'));
    await r.mutate('addBook', ['mine', 'Not synced yet']);
    await r.close();
    // Rewrite the store as format 1 wrote it.
    const snap = await snapshot(store);
    await store.open('r');
    const dataPage = [...snap.pages].find(([, p]) => p.table === 'books')!;
    await store.commit({
      deletePages: [membershipPageId(dataPage[0])],
      putPages: new Map([
        [
          `${MEMBERSHIP_TABLE}:0`,
          {
            table: MEMBERSHIP_TABLE,
            rows: [
              { id: rowKey('books', 'b1'), paths: ['/a'] },
              { id: rowKey('books', 'b2'), paths: ['/a', '/b'] },
            ],
          },
        ],
      ]),
      putMeta: new Map([[META.format, 1]]),
    });
    await store.close();

    r = await open(store);
    await r.close();
    const after = await snapshot(store);
    expect(after.meta.get(META.format)).toBe(STORE_FORMAT);
    expect(after.pages.has(`${MEMBERSHIP_TABLE}:0`)).toBe(false);
    expect(after.pages.has(membershipPageId(dataPage[0]))).toBe(true);

    r = await open(store);
    await r.applyServer(del('/a', 'b2'));
    await r.applyServer(del('/a', 'b1'));
    // b2 is still held by /b; b1 is gone; the app's own unsynced row is kept.
    expect([...r.db.table('books').rows.keys()].sort()).toEqual(['b2', 'mine']);
    expect(r.outbox).toHaveLength(1);
    await r.close();
  });

  // Found by the simulator (sim/regressions.test.ts): such a row is in no data page, so it has a
  // record of its own; without it, the rebase's undo brought the row back and the server's del could
  // not remove it.
  it('a held row that a pending mutation deleted keeps its holders across a reopen and a format-1 upgrade', async () => {
    for (const upgrade of [false, true]) {
      const store = memoryStore();
      let r = await open(store);
      await r.applyServer(put('/a', 'b1', 'b2'));
      await r.mutate('removeBook', ['b1']);
      await r.close();
      if (upgrade) {
        const snap = await snapshot(store);
        const dataId = [...snap.pages].find(([, p]) => p.table === 'books')![0];
        await store.open('r');
        await store.commit({
          deletePages: [...snap.pages.keys()].filter((id) => id.startsWith(MEMBERSHIP_TABLE)),
          putPages: new Map([
            [
              `${MEMBERSHIP_TABLE}:0`,
              {
                table: MEMBERSHIP_TABLE,
                rows: [
                  { id: rowKey('books', 'b1'), paths: ['/a'] },
                  { id: rowKey('books', 'b2'), paths: ['/a'] },
                ],
              },
            ],
          ]),
          putMeta: new Map([[META.format, 1]]),
        });
        await store.close();
        expect(dataId).toBeDefined();
      }
      r = await open(store);
      expect(r.db.table('books').get('b1')).toBeUndefined();
      // The server applied the delete: its answer undoes it, applies the del, and drops the mutation.
      await r.applyServer({ ...del('/a', 'b1'), lastMutationID: 1 });
      expect([...r.db.table('books').rows.keys()]).toEqual(['b2']);
      await r.close();
      r = await open(store);
      expect([...r.db.table('books').rows.keys()]).toEqual(['b2']);
      await r.close();
      const after = await snapshot(store);
      expect([...after.pages.keys()].filter((id) => id.startsWith(`${MEMBERSHIP_TABLE}#`))).toEqual([]);
    }
  });

  it('a malformed or orphaned membership page is STORE_CORRUPTED and nothing is written', async () => {
    for (const bad of [
      (dataId: string) => ({ id: dataId, sets: [['/a']], of: [0] }), // wrong length
      (dataId: string) => ({ id: dataId, sets: [['/a'], 7], of: [0, 1] }),
      (dataId: string) => ({ id: dataId, sets: [['/a']], of: [0, 3] }),
      (_: string) => ({ id: 'books:99', sets: [['/a']], of: [0, 0] }),
    ]) {
      const store = memoryStore();
      const r = await open(store);
      await r.applyServer(put('/a', 'b1', 'b2'));
      await r.close();
      const snap = await snapshot(store);
      const dataId = [...snap.pages].find(([, p]) => p.table === 'books')![0];
      await store.open('r');
      await store.commit({
        putPages: new Map([[membershipPageId(dataId), { table: MEMBERSHIP_TABLE, rows: [bad(dataId)] }]]),
      });
      await store.close();
      const before = await snapshot(store);
      await expect(open(store)).rejects.toMatchObject({ code: 'STORE_CORRUPTED' });
      expect(await snapshot(store)).toEqual(before);
    }
  });
});
