/**
 * The browser side of indexeddb.browser.test.ts: the shared store suite over `indexedDBStore` in
 * real IndexedDB, and a client whose storage quota runs out. Bundled by esbuild with `vitest`
 * replaced by ./mini-vitest.ts.
 */
import { c, defineMutators, defineSchema, SSSync, table } from '../../../../packages/sssync/src/index.js';
import { indexedDBStore } from '../../../../packages/sssync/src/store/idb-store.js';
import { runStoreSuite } from '../../../../packages/sssync/src/testing/store-suite.js';
import { runTests, testNames } from './mini-vitest.js';

let n = 0;
// Each store gets a database of its own, as the suite asks.
runStoreSuite('indexedDBStore in Chromium', () => indexedDBStore({ name: `suite-${Date.now()}-${n++}` }));

const schema = defineSchema({
  version: 1,
  tables: { notes: table({ id: c.string(), body: c.string() }) },
});
const mutators = defineMutators(schema, {
  putNote: (tx, id: string, body: string) => tx.notes.upsert({ id, body }),
});

/** Random text, so that the browser's compression cannot shrink it below the quota. */
function randomText(length: number): string {
  const parts: string[] = [];
  for (let left = length; left > 0; left -= 65_536) {
    // getRandomValues gives at most 64 KiB at a time.
    const bytes = crypto.getRandomValues(new Uint8Array(Math.min(left, 65_536)));
    parts.push(String.fromCharCode(...Array.from(bytes, (b) => 33 + (b % 90))));
  }
  return parts.join('');
}

/** A small write, then one too large for the quota; what the app sees, then what a reload finds. */
async function quota(bigLength: number) {
  const open = () => new SSSync('quota', { schema, mutators, store: indexedDBStore() });
  const client = open();
  await client.ready;
  await client.execute.putNote('small', 'a short note');
  let error: { name: string; code: string; message: string; cause: string } | undefined;
  try {
    await client.execute.putNote('big', randomText(bigLength));
  } catch (e) {
    const err = e as { name: string; code: string; message: string; cause?: { name?: string } };
    error = { name: err.name, code: err.code, message: err.message, cause: String(err.cause?.name) };
  }
  const summary = async (x: typeof client) => {
    const data = await x.export();
    return {
      pending: data.pendingMutations.map((m) => m.args[0]),
      rows: (data.tables.notes ?? []).map((r) => r.id),
    };
  };
  const before = await summary(client);
  await client.close();
  const again = open();
  await again.ready;
  const after = await summary(again);
  await again.close();
  return { error, before, after };
}

Object.assign(globalThis, { harness: { testNames, runTests, quota } });
