/**
 * Replicache 15 in Node: the in-memory KV store (`kvStore: 'mem'`), the test license key the package
 * exports, a puller answering the same books as a v1 pull response, and a pusher that never answers
 * (offline, like the SSSync client). It has no numeric secondary indexes: queries scan and filter.
 */
import { type ReadTransaction, Replicache, TEST_LICENSE_KEY, type WriteTransaction } from 'replicache';
import { type Book, FILTER_MIN } from '../data.js';
import { type Instance, type LiveQueryKind, type Peer, uniqueName } from './peer.js';

const mutators = {
  setPageCount: async (tx: WriteTransaction, args: { id: string; pageCount: number }) => {
    const book = (await tx.get(`book/${args.id}`)) as unknown as Book;
    await tx.set(`book/${args.id}`, { ...book, pageCount: args.pageCount });
  },
};

type Rep = Replicache<typeof mutators>;

const allBooks = async (tx: ReadTransaction) =>
  (await tx.scan({ prefix: 'book/' }).values().toArray()) as unknown as Book[];

const queries = {
  filtered: async (tx: ReadTransaction) => (await allBooks(tx)).filter((b) => b.pageCount >= FILTER_MIN),
  top50: async (tx: ReadTransaction) =>
    (await allBooks(tx)).sort((a, b) => b.pageCount - a.pageCount || (b.id < a.id ? -1 : 1)).slice(0, 50),
} satisfies Record<LiveQueryKind, unknown>;

export function open(
  name: string,
  pullText: string | null,
  kvStore: 'mem' | 'idb',
): { rep: Rep; instance: Instance } {
  const rep: Rep = new Replicache({
    name,
    licenseKey: TEST_LICENSE_KEY,
    kvStore,
    mutators,
    pullInterval: null,
    puller: async () => ({
      response: pullText === null ? undefined : JSON.parse(pullText),
      httpRequestInfo: { httpStatusCode: 200, errorMessage: '' },
    }),
    pusher: () => new Promise(() => {}),
  });
  const instance: Instance = {
    countFiltered: async () => (await rep.query(queries.filtered)).length,
    countPageCount: async (n) => (await rep.query(allBooks)).filter((b) => b.pageCount === n).length,
    watch: (kind, onResult) => rep.subscribe(queries[kind], { onData: () => onResult() }),
    setPageCount: (book, pageCount) => rep.mutate.setPageCount({ id: book.id, pageCount }),
    close: () => rep.close(),
  };
  return { rep, instance };
}

/** Resolves once `key` is readable: Replicache pulls by itself on start. */
export function until(rep: Rep, key: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = rep.subscribe((tx) => tx.has(key), {
      onData: (has) => {
        if (!has) return;
        resolve();
        queueMicrotask(stop);
      },
    });
  });
}

export const replicachePeer: Peer<{ text: string; lastKey: string }> = {
  name: 'replicache',
  prepare: async (books) => ({
    text: JSON.stringify({
      cookie: 1,
      lastMutationIDChanges: {},
      patch: books.map((b) => ({ op: 'put', key: `book/${b.id}`, value: b })),
    }),
    lastKey: `book/${books.at(-1)!.id}`,
  }),
  bootstrap: async ({ text, lastKey }) => {
    const { rep, instance } = open(uniqueName('replicache'), text, 'mem');
    await until(rep, lastKey);
    return instance;
  },
};
