/**
 * The books example in Chromium: offline writes and reloads, a browser killed with pending writes,
 * two tabs of one profile, a write the server refuses, and a server change in the temporary view.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BooksServer } from '../server/books-server.js';
import {
  addBook,
  booksOnScreen,
  browserPid,
  buildApp,
  editBook,
  launchBrowser,
  launchProfile,
  origin,
  signIn,
  startServer,
  tempDir,
  until,
  waitSynced,
} from './browser.js';
import { describeBrowser } from './describe-browser.js';

const TIMEOUT = 90_000;

describeBrowser('examples/books in Chromium', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: BooksServer;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    dir = tempDir('sssync-books-e2e-');
    const app = join(dir.path, 'app');
    await buildApp(app);
    server = await startServer(dir.path, app);
    url = origin(server);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    dir?.remove();
  });

  const newContext = async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    return context;
  };

  const serverBooks = (owner: string) =>
    server.db
      .prepare('select title, pageCount from books where owner = ? and _sssync_deleted = 0 order by title')
      .all(owner) as { title: string; pageCount: number }[];

  /** The service worker has the app shell cached (a reload with no network then works). */
  const shellCached = (page: Page) =>
    page.evaluate(async () => {
      if (!navigator.serviceWorker.controller) return false;
      const keys = await caches.keys();
      return keys.length > 0 && (await (await caches.open(keys[0]!)).keys()).length > 3;
    });

  it(
    'offline: creates and edits books, survives a reload with no network, then syncs them to the server and to another session',
    async () => {
      const context = await newContext();
      const page = await context.newPage();
      await signIn(page, url, 'olive');
      await waitSynced(page);
      await page.getByText('Your shelf is empty').waitFor();
      await until(() => shellCached(page), 'the service worker to cache the app shell');

      await context.setOffline(true);
      await addBook(page, { title: 'The Odyssey', pageCount: 420, newAuthor: 'Homer' });
      await addBook(page, { title: 'Dubliners', pageCount: 150 });
      await editBook(page, 'The Odyssey', { pageCount: 480 });
      await addBook(page, { title: 'A mistake', pageCount: 1 });
      await page.getByRole('button', { name: 'Edit A mistake', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.getByTestId('book').filter({ hasText: 'A mistake' }).waitFor({ state: 'detached' });
      await page.waitForSelector('[data-testid="sync-status"][data-online="false"][data-pending="6"]');
      expect(await page.getByTestId('sync-status').textContent()).toContain('Offline');
      expect(serverBooks('olive')).toEqual([]);

      await page.reload();
      await page.getByTestId('book').first().waitFor();
      // The page came from the service worker's cache: the network is off.
      expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
      expect(await booksOnScreen(page)).toEqual(['Dubliners:150', 'The Odyssey:480']);
      expect(await page.getByTestId('book').filter({ hasText: 'The Odyssey' }).textContent()).toContain(
        'Homer',
      );
      // Not checked here: that the server still has nothing. After this reload (the service worker
      // now controls the page) a push got through Playwright's offline emulation once in CI, so the
      // emulation can't be relied on from here; the check is made above, before the reload, and the
      // list on screen came from IndexedDB.

      await context.setOffline(false);
      // Nothing pending: the server confirmed every mutation.
      await page.waitForSelector('[data-testid="sync-status"][data-online="true"][data-pending="0"]', {
        timeout: 20_000,
      });
      expect(serverBooks('olive')).toEqual([
        { title: 'Dubliners', pageCount: 150 },
        { title: 'The Odyssey', pageCount: 480 },
      ]);

      const other = await newContext();
      const second = await other.newPage();
      await signIn(second, url, 'olive');
      await second.getByTestId('book').nth(1).waitFor();
      expect(await booksOnScreen(second)).toEqual(['Dubliners:150', 'The Odyssey:480']);
      await other.close();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'a browser killed with pending writes has them after a restart, and the server applies each exactly once',
    async () => {
      const profile = tempDir('sssync-books-profile-');
      try {
        let context = await launchProfile(profile.path);
        let page = context.pages()[0] ?? (await context.newPage());
        await signIn(page, url, 'kim');
        await waitSynced(page);
        await context.setOffline(true);
        for (const [title, pageCount] of [
          ['Kindred', 264],
          ['Parable of the Sower', 345],
          ['Dawn', 248],
        ] as const) {
          await addBook(page, { title, pageCount });
        }
        await page.waitForSelector('[data-testid="sync-status"][data-pending="3"]');
        process.kill(browserPid(profile.path), 'SIGKILL');
        await context.close().catch(() => {});
        expect(serverBooks('kim')).toEqual([]);

        context = await launchProfile(profile.path);
        page = context.pages()[0] ?? (await context.newPage());
        await page.goto(url);
        // localStorage may not have reached the disk before the kill; IndexedDB commits had.
        const signInForm = page.getByLabel('Your name');
        await Promise.race([signInForm.waitFor(), page.getByTestId('user-name').waitFor()]);
        if (await signInForm.isVisible()) await signIn(page, url, 'kim');
        await until(() => serverBooks('kim').length === 3, 'the pending books to reach the server', 20_000);
        await waitSynced(page);
        expect(await booksOnScreen(page)).toHaveLength(3);
        expect(serverBooks('kim').map((b) => b.title)).toEqual(['Dawn', 'Kindred', 'Parable of the Sower']);
        // One client, three mutations, each applied once: its last mutation id is 3, not more.
        const clients = server.db
          .prepare(
            `select c.last_mutation_id as last from sssync_clients c
             join sssync_client_groups g on g.client_group_id = c.client_group_id where g.user_id = ?`,
          )
          .all('kim');
        expect(clients).toEqual([{ last: 3 }]);
        await context.close();
      } finally {
        profile.remove();
      }
    },
    TIMEOUT,
  );

  it(
    'two tabs: a write shows in the other tab with no network, only the leader pushes, and the other takes over',
    async () => {
      const context = await newContext();
      const pushes = [0, 0];
      const tab = async (i: number) => {
        const page = await context.newPage();
        page.on('request', (r) => {
          if (r.url().endsWith('/sync/push')) pushes[i]!++;
        });
        return page;
      };
      const first = await tab(0);
      await signIn(first, url, 'tara');
      await waitSynced(first);
      const second = await tab(1);
      await second.goto(url);
      await waitSynced(second);

      await context.setOffline(true);
      await addBook(second, { title: 'Written in tab two', pageCount: 222 });
      await first.getByTestId('book').filter({ hasText: 'Written in tab two' }).waitFor({ timeout: 5_000 });
      await addBook(first, { title: 'Written in tab one', pageCount: 111 });
      await second.getByTestId('book').filter({ hasText: 'Written in tab one' }).waitFor({ timeout: 5_000 });

      await context.setOffline(false);
      await until(() => serverBooks('tara').length === 2, 'both books to reach the server', 20_000);
      expect(pushes[0]).toBeGreaterThan(0);
      expect(pushes[1]).toBe(0);

      await first.close();
      await addBook(second, { title: 'After the handover', pageCount: 333 });
      await until(() => serverBooks('tara').length === 3, 'the new leader to push', 20_000);
      expect(pushes[1]).toBeGreaterThan(0);
      expect(serverBooks('tara').map((b) => b.title)).toEqual([
        'After the handover',
        'Written in tab one',
        'Written in tab two',
      ]);
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'a change the server refuses is rolled back on screen and its reason shown; devtools show it, go offline and export',
    async () => {
      const context = await newContext();
      const page = await context.newPage();
      await signIn(page, url, 'rex');
      await waitSynced(page);
      await addBook(page, { title: 'Infinite Jest', pageCount: 1079 });
      await until(() => serverBooks('rex').length === 1, 'the book to reach the server');

      await editBook(page, 'Infinite Jest', { pageCount: 12_000 });
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 15_000 });
      expect(await alert.textContent()).toContain('12,000 pages is too long');
      expect(await alert.textContent()).toContain('at most 10,000 pages');
      await waitSynced(page);
      expect(await booksOnScreen(page)).toEqual(['Infinite Jest:1,079']);
      expect(serverBooks('rex')).toEqual([{ title: 'Infinite Jest', pageCount: 1079 }]);

      // The devtools button loads sssync/devtools on demand and mounts its panel; its outbox keeps
      // the rejected mutation, with the server's error.
      await page.getByRole('button', { name: 'Devtools' }).click();
      const devtools = page.locator('[data-sssync-devtools]');
      await devtools.locator('[data-tab="outbox"]').click();
      const rejected = devtools.locator('tr.rejected');
      await rejected.first().waitFor();
      expect(await rejected.count()).toBe(1);
      const row = (await rejected.first().textContent()) ?? '';
      expect(row).toContain('updateBook');
      expect(row).toContain('SERVER_REJECTED');
      expect(row).toContain('12,000 pages is too long');

      // The offline switch: writes stay queued and nothing is sent; switched back, they go at once.
      const requests: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/sync/')) requests.push(r.url());
      });
      await devtools.locator('[data-action="offline"]').check();
      await until(
        async () => (await devtools.locator('[role="region"]').textContent())?.includes('simulated'),
        'the offline badge',
      );
      requests.length = 0;
      // The panel covers the bottom of the page (the editor's Save button): close it while editing.
      await page.getByRole('button', { name: 'Devtools' }).click();
      await addBook(page, { title: 'Queued While Offline', pageCount: 10 });
      await page.getByRole('button', { name: 'Devtools' }).click();
      await until(
        async () => (await devtools.locator('[role="region"]').textContent())?.includes('1 pending'),
        'a pending write',
      );
      await page.waitForTimeout(1_500);
      expect(requests).toEqual([]);
      expect(serverBooks('rex').map((b) => b.title)).not.toContain('Queued While Offline');
      await devtools.locator('[data-action="offline"]').uncheck();
      await until(
        () => serverBooks('rex').some((b) => b.title === 'Queued While Offline'),
        'the queued write to reach the server',
      );
      expect(requests.some((u) => u.endsWith('/push'))).toBe(true);

      // Export all data: a JSON file holding the books and the (now empty) outbox.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        devtools.locator('[data-action="export"]').click(),
      ]);
      const path = await download.path();
      const exported = JSON.parse(readFileSync(path, 'utf8')) as {
        tables: { books: { title: string }[] };
        pendingMutations: unknown[];
      };
      expect(exported.tables.books.map((b) => b.title).sort()).toEqual([
        'Infinite Jest',
        'Queued While Offline',
      ]);
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'a change made in the server database shows in the temporary library view within one refresh',
    async () => {
      const context = await newContext();
      const page = await context.newPage();
      await signIn(page, url, 'lia');
      await page.goto(`${url}/#/library/city`);
      await page.getByTestId('library-book').first().waitFor();
      const titles = () => page.getByTestId('library-book').locator('.book-title').allTextContents();
      expect(await titles()).not.toContain('Piranesi');

      // Another process writes the SQLite file directly (an admin tool, a script).
      const admin = new BetterSqlite3(join(dir.path, 'books.db'));
      admin
        .prepare(
          "insert into library_shelf (id, library_id, title, author, page_count) values ('c7', 'city', 'Piranesi', 'Susanna Clarke', 272)",
        )
        .run();
      admin.close();
      const started = Date.now();
      await page.getByTestId('library-book').filter({ hasText: 'Piranesi' }).waitFor({ timeout: 10_000 });
      // refreshSeconds is 3: at most one refresh period, plus slack for fetching and rendering on a
      // busy machine (the view is never reloaded or re-mounted).
      expect(Date.now() - started).toBeLessThan(6_000);
      await context.close();
    },
    TIMEOUT,
  );
});
