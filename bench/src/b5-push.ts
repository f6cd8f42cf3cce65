/**
 * B5: mutations queued offline, then pushed to the SQLite server over loopback (its own process)
 * until every one is acknowledged — the outbox empty, which takes the pull after the push.
 */
import { SSSync } from 'sssync';
import { memoryStore } from 'sssync/memory';
import { BOOKS_PATH, mutators, schema } from './books-app.js';
import type { Config } from './config.js';
import { k } from './config.js';
import { bookID } from './data.js';
import { interleave, now } from './harness.js';
import { startLoopbackServer } from './loopback.js';
import { uniqueName } from './peers/peer.js';
import type { Result } from './results.js';

export async function b5Push(cfg: Config): Promise<Result[]> {
  const mutations = cfg.quick ? 1_000 : 10_000;
  const rows = 10_000;
  const server = await startLoopbackServer(rows);
  // Offline, requests wait at the gate (as a request to a dead network would) until it opens.
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  const goOffline = () => {
    gate = new Promise((resolve) => {
      open = resolve;
    });
  };
  const client = new SSSync(uniqueName('b5'), {
    schema,
    mutators,
    store: memoryStore(),
    server: server.url,
    pullIntervalSeconds: 3600,
    fetch: async (url, init) => {
      await gate;
      return fetch(url, init);
    },
  });
  try {
    await client.ready;
    await client.persist(BOOKS_PATH).ready;
    let serial = 0;
    const run = async () => {
      goOffline();
      const queued: Promise<unknown>[] = [];
      for (let i = 0; i < mutations; i++) {
        serial++;
        queued.push(client.execute.setPageCount(bookID(serial % rows), serial));
      }
      await Promise.all(queued);
      const t0 = now();
      open();
      while (client.pendingCount > 0) await client.sync();
      return now() - t0;
    };
    const stats = await interleave({ sssync: run }, cfg.quick ? 1 : 3, cfg.log);
    const ms = stats.sssync ? Math.round(stats.sssync.median) : null;
    const goal = (500 * mutations) / 10_000;
    return [
      {
        id: 'B5',
        name: `${k(mutations)} queued mutations pushed and acknowledged, SQLite server over loopback`,
        unit: 'ms',
        better: 'lower',
        sssync: ms,
        peers: { replicache: null, 'tanstack-db': null, rxdb: null, dexie: null },
        goal,
        goalText: `≤ ${goal} ms`,
        met: ms === null ? null : ms <= goal,
        notes: {
          server: 'createSyncHandler + sqliteDatabase (file, WAL) in a child process, node:http',
          peers:
            'no peer ships a SQLite sync server (Replicache and TanStack DB leave the backend to the app)',
        },
      },
    ];
  } finally {
    await client.close();
    server.stop();
  }
}
