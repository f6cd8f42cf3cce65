/**
 * `indexedDBStore` in real Chromium: the shared store conformance suite (`runStoreSuite`), run in a
 * page and reported here one test per suite test, and a write that runs out of storage quota.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, tempDir } from './browser.js';
import { describeBrowser } from './describe-browser.js';
import type { TestResult } from './harness/mini-vitest.js';

/** The harness bundled for `platform` into `dir`, with `vitest` replaced by the mini harness. */
async function bundle(platform: 'browser' | 'node', dir: string): Promise<string> {
  const outfile = join(dir, platform === 'node' ? 'harness.mjs' : 'harness.js');
  await build({
    entryPoints: [join(import.meta.dirname, 'harness', 'page.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform,
    target: 'es2022',
    alias: { vitest: join(import.meta.dirname, 'harness', 'mini-vitest.ts') },
    logLevel: 'warning',
  });
  return outfile;
}

// The suite's test names, known at collection time: the same bundle, registered (not run) in Node.
const listing = tempDir('sssync-idb-e2e-');
try {
  await import(pathToFileURL(await bundle('node', listing.path)).href);
} finally {
  listing.remove();
}
const names = (globalThis as unknown as { harness: { testNames(): string[] } }).harness.testNames();

describeBrowser('indexedDBStore in Chromium', () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let results: Map<string, TestResult>;

  const newPage = async (context: BrowserContext) => {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'harness' in globalThis);
    return page;
  };

  beforeAll(async () => {
    const dir = tempDir('sssync-idb-e2e-');
    const script = readFileSync(await bundle('browser', dir.path));
    dir.remove();
    server = createServer((req, res) => {
      if (req.url === '/harness.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>store suite</title><script type="module" src="/harness.js"></script>');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    const context = await browser.newContext();
    const page = await newPage(context);
    const list = await page.evaluate(() => (globalThis as any).harness.runTests() as Promise<TestResult[]>);
    results = new Map(list.map((r) => [r.name, r]));
    await context.close();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
  });

  it('runs every test of the store suite', () => {
    expect(names.length).toBeGreaterThan(15);
    expect([...results.keys()]).toEqual(names);
  });

  for (const name of names) {
    it(name, () => {
      const r = results.get(name);
      expect(r?.error ?? 'passed').toBe('passed');
    });
  }

  it('a write over the storage quota fails with STORE_QUOTA_EXCEEDED and keeps the outbox', async () => {
    const context = await browser.newContext();
    const page = await newPage(context);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 2 * 1024 * 1024 });
    const outcome = await page.evaluate((n) => (globalThis as any).harness.quota(n), 6 * 1024 * 1024);
    expect(outcome.error).toMatchObject({
      name: 'SSSyncError',
      code: 'STORE_QUOTA_EXCEEDED',
      cause: 'QuotaExceededError',
    });
    expect(outcome.error.message).toMatch(/Free up space/);
    // The small write before it is still queued, in memory and on disk; the big one left no trace.
    expect(outcome.before).toEqual({ pending: ['small'], rows: ['small'] });
    expect(outcome.after).toEqual({ pending: ['small'], rows: ['small'] });
    await context.close();
  }, 60_000);
});
