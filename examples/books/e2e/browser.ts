/**
 * Chromium and the books app for the end-to-end tests (and the screenshot script).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type BooksServer, startBooksServer } from '../server/books-server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export async function launchProfile(userDataDir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  context.setDefaultTimeout(15_000);
  return context;
}

/** The pid of the main browser process running `userDataDir` (not its renderers or helpers). */
export function browserPid(userDataDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string[];
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (cmdline.includes(`--user-data-dir=${userDataDir}`) && !cmdline.some((a) => a.startsWith('--type='))) {
      return Number(entry);
    }
  }
  throw new Error(`No browser process for ${userDataDir}`);
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Builds the app once per test file into `outDir` (a child process: Vite outside the test runner). */
export async function buildApp(outDir: string): Promise<void> {
  const script = join(import.meta.dirname, '..', 'build.mjs');
  const child = spawn(process.execPath, [script, '--app-only', '--out', outDir], { stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`Building the books app failed:\n${output}`);
}

/** The example's server on a free port over its own SQLite file. */
export function startServer(dir: string, staticDir: string): Promise<BooksServer> {
  return startBooksServer({ port: 0, host: '127.0.0.1', dbFile: join(dir, 'books.db'), staticDir });
}

export const origin = (server: BooksServer) => `http://127.0.0.1:${server.port}`;

export async function signIn(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-name').waitFor();
}

/** Waits until the page's books have loaded from the server and nothing is pending. */
export async function waitSynced(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="sync-status"][data-online="true"][data-pending="0"]');
  await page.waitForFunction(() => !document.body.textContent?.includes('Loading your books'));
}

/** Fills and saves the book dialog (already open). */
export async function fillBook(
  page: Page,
  book: { title?: string; pageCount?: number; newAuthor?: string },
): Promise<void> {
  const dialog = page.getByRole('dialog');
  if (book.title !== undefined) await dialog.getByLabel('Title').fill(book.title);
  if (book.pageCount !== undefined) await dialog.getByLabel('Pages').fill(String(book.pageCount));
  if (book.newAuthor !== undefined) {
    await dialog.locator('select[name="author"]').selectOption({ label: 'New author…' });
    await dialog.getByLabel("New author's name").fill(book.newAuthor);
  }
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
}

export async function addBook(
  page: Page,
  book: { title: string; pageCount: number; newAuthor?: string },
): Promise<void> {
  await page.getByRole('button', { name: '+ Add book' }).click();
  await fillBook(page, book);
  await page.getByTestId('book').filter({ hasText: book.title }).waitFor();
}

export async function editBook(
  page: Page,
  title: string,
  changes: { title?: string; pageCount?: number },
): Promise<void> {
  await page.getByRole('button', { name: `Edit ${title}`, exact: true }).click();
  const input = page.getByRole('dialog').getByLabel('Title');
  await until(async () => (await input.inputValue()) === title, 'the book to load in the dialog');
  await fillBook(page, changes);
}

/** The books on screen as `title:pages`, in order. */
export async function booksOnScreen(page: Page): Promise<string[]> {
  return page
    .getByTestId('book')
    .evaluateAll((rows) =>
      rows.map(
        (r) =>
          `${r.querySelector('.book-title')?.textContent}:${r.querySelector('[data-testid="page-count"]')?.textContent}`,
      ),
    );
}

export async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
