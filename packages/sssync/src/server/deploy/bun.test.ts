/**
 * The recommended handler, unchanged, served by Bun's own HTTP server (`Bun.serve`) over `bun:sqlite`
 * (`sssync/server/bun-sqlite`), in a real Bun process: the conformance suite over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConformant } from '../../conformance/expect-conformant.js';
import { bundle } from './bundle.js';
import { binary, type ChildServer, startChildServer } from './child-server.js';

const entry = `
  import { Database } from 'bun:sqlite';
  import { createSyncHandler, testModeOptions } from 'sssync/server';
  import { bunSqliteDatabase } from 'sssync/server/bun-sqlite';

  // A file in the process's (temporary) directory, in WAL mode as in production.
  const database = bunSqliteDatabase(new Database('sync.db'));
  const handler = createSyncHandler({ ...testModeOptions(), database });
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler });
  console.log(\`listening \${server.url.href.replace(/\\/$/, '')}\`);
`;

describe('Bun.serve with bun:sqlite', () => {
  let server: ChildServer;
  beforeAll(async () => {
    const code = await bundle({
      contents: entry,
      platform: 'node',
      conditions: ['bun'],
      external: ['bun:sqlite'],
    });
    server = await startChildServer(binary('bun'), (file) => ['run', file], code);
  }, 40_000);
  afterAll(() => server?.stop());

  it('passes the conformance suite over HTTP', { timeout: 50_000 }, async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expectConformant({ url: `${server.url}/sync` });
  });
});
