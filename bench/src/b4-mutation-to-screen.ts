/**
 * B4 (in Chromium): from a write to React's commit of the list that shows it — a sorted top-50 of the
 * books, rendered by React 19. SSSync through its own `useQuery`; the peers through
 * `useSyncExternalStore` over their subscriptions (what their React bindings do).
 */
import { createElement as h, useLayoutEffect, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { SSSyncProvider, useQuery } from 'sssync/react';
import { ENGINES, type Opened } from './browser/engines.js';
import type { Book } from './data.js';
import { makeBooks } from './data.js';
import { interleave, now, type Stats } from './harness.js';

let pending: { pageCount: number; t0: number; done: (ms: number) => void } | null = null;

function List({ rows }: { rows: readonly Book[] }) {
  useLayoutEffect(() => {
    if (pending && rows[0]?.pageCount === pending.pageCount) {
      const { t0, done } = pending;
      pending = null;
      done(now() - t0);
    }
  });
  return h(
    'ul',
    null,
    rows.map((b) => h('li', { key: b.id }, `${b.title} · ${b.author} · ${b.pageCount}`)),
  );
}

function PeerList({ opened }: { opened: Opened }) {
  const store = useStore(opened);
  const rows = useSyncExternalStore(store.subscribe, store.get);
  return h(List, { rows });
}

const stores = new WeakMap<Opened, { subscribe(cb: () => void): () => void; get(): readonly Book[] }>();
function useStore(opened: Opened) {
  let s = stores.get(opened);
  if (!s) {
    let rows: readonly Book[] = [];
    s = {
      subscribe: (cb) =>
        opened.watchTop50((next) => {
          rows = next;
          cb();
        }),
      get: () => rows,
    };
    stores.set(opened, s);
  }
  return s;
}

function SSSyncList({ client }: { client: any }) {
  const rows = useQuery(client.query.books.orderBy('pageCount', 'desc').limit(50)) as readonly Book[];
  return h(List, { rows });
}

let serial = 0;

export async function b4MutationToScreen(
  n: number,
  rounds: number,
  ops: number,
  databases: ReadonlyMap<string, string>,
): Promise<Record<string, Stats | null>> {
  const books = makeBooks(n);
  const contenders = Object.fromEntries(
    Object.entries(ENGINES).map(([engine, e]) => [
      engine,
      async () => {
        const opened = await e.reopen(databases.get(engine)!);
        const div = document.createElement('div');
        document.body.append(div);
        const root = createRoot(div);
        const client = (opened as { client?: unknown }).client;
        root.render(
          engine === 'sssync' && client
            ? h(SSSyncProvider, { client } as any, h(SSSyncList, { client }))
            : h(PeerList, { opened }),
        );
        await new Promise((r) => setTimeout(r, 50));
        const samples: number[] = [];
        try {
          for (let i = 0; i < ops; i++) {
            serial++;
            const pageCount = 10_000_000 + serial;
            const ms = await new Promise<number>((done) => {
              pending = { pageCount, t0: now(), done };
              void opened.setPageCount(books[(serial * 7919) % n]!, pageCount);
            });
            samples.push(ms);
          }
        } finally {
          root.unmount();
          div.remove();
          await opened.close();
        }
        return samples;
      },
    ]),
  );
  return interleave(contenders, rounds, (line) => console.log(line));
}
