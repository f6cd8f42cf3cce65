/**
 * The recommended handler, unchanged, in a Cloudflare Worker (workerd, through Miniflare) over D1:
 * the conformance suite, real clients, and the example Worker in examples/worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConformant } from '../../conformance/expect-conformant.js';
import { flowAppOptions } from '../client-flow-app.js';
import { clientFlowTests } from '../client-flows.js';
import { d1Database } from '../dialects/d1.js';
import { createSyncHandler } from '../handler.js';
import { startWorker, type TestWorker } from './miniflare.js';

const SYNC_WORKER = './examples/worker/src/sync-worker.ts';

const testModeWorker = `
  import { createSyncHandler, testModeOptions } from 'sssync/server';
  import { syncWorker } from '${SYNC_WORKER}';
  export default syncWorker((database) => createSyncHandler({ ...testModeOptions(), database }));
`;

const flowWorker = `
  import { createSyncHandler } from 'sssync/server';
  import { flowAppOptions } from './packages/sssync/src/server/client-flow-app.ts';
  import { syncWorker } from '${SYNC_WORKER}';
  export default syncWorker((database) => createSyncHandler({ ...flowAppOptions(), database }));
`;

describe('a Worker on D1 in test mode', () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startWorker(testModeWorker);
  }, 30_000);
  afterAll(() => worker?.dispose());

  it('passes the conformance suite', { timeout: 50_000 }, async () => {
    await expectConformant({ url: 'http://worker.test/sync', fetch: worker.fetch });
  });
});

clientFlowTests('a Worker on D1', async () => {
  const worker = await startWorker(flowWorker);
  const db = d1Database(await worker.d1());
  // The deploy step: create the tables before the first request (the Worker would do it itself).
  await createSyncHandler({ ...flowAppOptions(), database: db }).prepare();
  return { fetch: worker.fetch, db, close: () => worker.dispose() };
});

describe('examples/worker', () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startWorker(`export { default } from './examples/worker/src/index.ts';`);
  }, 30_000);
  afterAll(() => worker?.dispose());

  const send = (endpoint: string, user: string, body: object) =>
    worker.fetch(`https://notes.example.workers.dev/sync/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer demo:${user}` },
      body: JSON.stringify({ protocolVersion: 1, schemaVersion: 1, ...body }),
    });

  it('syncs notes per user and refuses to change another user’s note', async () => {
    const push = await send('push', 'ann', {
      clientGroupID: 'ann-laptop',
      clientID: 'ann-tab',
      mutations: [
        { id: 1, name: 'addNote', args: ['n1', 'Buy tea'], timestamp: 1 },
        { id: 2, name: 'setDone', args: ['n1', true], timestamp: 2 },
      ],
    });
    expect(push.status).toBe(200);
    expect(await push.json()).toMatchObject({ lastMutationIDs: { 'ann-tab': 2 } });
    const steal = await send('push', 'bob', {
      clientGroupID: 'bob-phone',
      clientID: 'bob-app',
      mutations: [{ id: 1, name: 'deleteNote', args: ['n1'], timestamp: 3 }],
    });
    expect((await steal.json()).results).toEqual([
      { id: 1, ok: false, error: { code: 'FORBIDDEN', message: 'Not your note.' } },
    ]);
    const pull = await send('pull', 'ann', {
      clientGroupID: 'ann-laptop',
      clientID: 'ann-tab',
      resources: [{ path: '/notes', cursor: null }],
    });
    const { resources } = await pull.json();
    expect(resources[0].patch).toEqual([
      { op: 'clear' },
      { op: 'put', table: 'notes', row: { id: 'n1', owner: 'ann', text: 'Buy tea', done: true } },
    ]);
    expect((await send('pull', '', { clientGroupID: 'x', clientID: 'y', resources: [] })).status).toBe(401);
  });
});
