/**
 * The recommended handler, unchanged, served by Deno's own HTTP server (`Deno.serve`) over PGlite
 * (`sssync/server/pglite`; Deno loads PGlite's npm build and WebAssembly as they are installed), in a
 * real Deno process: the conformance suite over HTTP.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConformant } from '../../conformance/expect-conformant.js';
import { bundle } from './bundle.js';
import { binary, type ChildServer, startChildServer } from './child-server.js';

const entry = `
  import { PGlite } from '@electric-sql/pglite';
  import { createSyncHandler, testModeOptions } from 'sssync/server';
  import { pgliteDatabase } from 'sssync/server/pglite';

  const database = pgliteDatabase(await PGlite.create());
  const handler = createSyncHandler({ ...testModeOptions(), database });
  await handler.prepare();
  Deno.serve(
    { hostname: '127.0.0.1', port: 0, onListen: ({ hostname, port }) => console.log(\`listening http://\${hostname}:\${port}\`) },
    handler,
  );
`;

/** PGlite stays a module of its own, loaded by file URL from node_modules (its files sit beside it). */
const pglite = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;

describe('Deno.serve with PGlite', () => {
  let server: ChildServer;
  beforeAll(async () => {
    const code = await bundle({
      contents: entry,
      platform: 'neutral',
      conditions: ['deno'],
      plugins: [
        {
          name: 'pglite-by-url',
          setup: (build) =>
            build.onResolve({ filter: /^@electric-sql\/pglite$/ }, () => ({ path: pglite, external: true })),
        },
      ],
    });
    server = await startChildServer(
      binary('deno'),
      (file) => ['run', '--allow-all', '--no-prompt', file],
      code,
    );
  }, 50_000);
  afterAll(() => server?.stop());

  it('passes the conformance suite over HTTP', { timeout: 50_000 }, async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expectConformant({ url: `${server.url}/sync` });
  });
});
