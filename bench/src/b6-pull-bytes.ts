/** B6: the bytes of an incremental pull after 10 changes, against refetching the whole list as REST JSON. */
import { SSSync } from 'sssync';
import { memoryStore } from 'sssync/memory';
import { BOOKS_PATH, mutators, schema } from './books-app.js';
import type { Config } from './config.js';
import { k } from './config.js';
import { makeBooks } from './data.js';
import { uniqueName } from './peers/peer.js';
import { seededServer } from './peers/sssync.js';
import type { Result } from './results.js';
import { type FetchFn, SERVER_URL } from './server.js';

function client(fetch: FetchFn, onPull?: (bytes: number) => void) {
  return new SSSync(uniqueName('b6'), {
    schema,
    mutators,
    store: memoryStore(),
    server: SERVER_URL,
    fetch,
    pullIntervalSeconds: 3600,
    onExchange: (x) => {
      if (x.kind === 'pull') onPull?.(x.responseBytes);
    },
  });
}

export async function b6PullBytes(cfg: Config): Promise<Result[]> {
  const n = cfg.large;
  const books = makeBooks(n);
  const { server } = await seededServer(books);
  const restBytes = Buffer.byteLength(JSON.stringify(books));
  let last = 0;
  const reader = client(server.fetch, (bytes) => {
    last = bytes;
  });
  const writer = client(server.fetch);
  try {
    await reader.ready;
    const held = reader.persist(BOOKS_PATH);
    await held.ready;
    await writer.ready;
    // Upserts: the writer holds no rows, as another device that only writes.
    for (let i = 0; i < 10; i++) await writer.execute.putBooks([{ ...books[i * 97]!, pageCount: 5_000 + i }]);
    while (writer.pendingCount > 0) await writer.sync();
    // `sync()` pulls only what is due; `refresh()` pulls this resource now.
    await held.refresh();
    const ratio = Math.round(restBytes / last);
    return [
      {
        id: 'B6',
        name: `incremental pull after 10 changes (${last} B) vs the ${k(n)}-row REST list (${restBytes} B)`,
        unit: '× fewer bytes',
        better: 'higher',
        sssync: ratio,
        peers: { replicache: null, 'tanstack-db': null, rxdb: null, dexie: null },
        goal: 1000,
        goalText: '≥ 1000× fewer',
        met: ratio >= 1000,
        notes: {
          sssync: `pull response body ${last} B (createSyncHandler on SQLite); REST list = JSON of all rows`,
          peers: 'pull sizes of the peers depend on the backend the app writes, not on the library',
        },
      },
    ];
  } finally {
    await reader.close();
    await writer.close();
  }
}
