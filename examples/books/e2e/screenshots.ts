/**
 * Screenshots of the books app for the README, into docs/images/:
 *   node --conditions=source --import tsx examples/books/e2e/screenshots.ts
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  addBook,
  buildApp,
  editBook,
  launchBrowser,
  origin,
  signIn,
  startServer,
  tempDir,
  until,
  waitSynced,
} from './browser.js';

const out = join(import.meta.dirname, '..', '..', '..', 'docs', 'images');
mkdirSync(out, { recursive: true });
const dir = tempDir('sssync-books-shots-');
const app = join(dir.path, 'app');
await buildApp(app);
const server = await startServer(dir.path, app);
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const url = origin(server);
  const shot = (name: string) => page.screenshot({ path: join(out, `${name}.png`) });

  await signIn(page, url, 'ada');
  await waitSynced(page);
  await addBook(page, { title: 'The Left Hand of Darkness', pageCount: 304, newAuthor: 'Ursula K. Le Guin' });
  await addBook(page, { title: 'The Dispossessed', pageCount: 387 });
  await editBook(page, 'The Dispossessed', {});
  await addBook(page, { title: 'Middlemarch', pageCount: 880, newAuthor: 'George Eliot' });
  await addBook(page, { title: 'Kindred', pageCount: 264, newAuthor: 'Octavia E. Butler' });
  await addBook(page, { title: 'Invisible Cities', pageCount: 165, newAuthor: 'Italo Calvino' });
  await addBook(page, { title: 'Beloved', pageCount: 324, newAuthor: 'Toni Morrison' });
  // Give the books their authors (the dialog's author list, for the ones added without one).
  await page.getByRole('button', { name: 'Edit The Dispossessed', exact: true }).click();
  await page
    .getByRole('dialog')
    .locator('select[name="author"]')
    .selectOption({ label: 'Ursula K. Le Guin' });
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await waitSynced(page);
  await page.getByLabel('Minimum pages', { exact: true }).fill('250');
  await page.getByLabel('Sort').selectOption('pageCount');
  await page.locator('body').click({ position: { x: 5, y: 700 } });
  await shot('books-list');

  await page.getByRole('button', { name: 'Edit Middlemarch', exact: true }).click();
  await until(
    async () => (await page.getByRole('dialog').getByLabel('Title').inputValue()) === 'Middlemarch',
    'the dialog',
  );
  await shot('books-edit');
  await page.getByRole('dialog').getByLabel('Pages').fill('12000');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await page.getByRole('alert').waitFor();
  await waitSynced(page);
  await shot('books-rejected');
  await page.getByRole('button', { name: 'Dismiss' }).click();

  await context.setOffline(true);
  await addBook(page, { title: 'Written on a train', pageCount: 412 });
  await editBook(page, 'Kindred', { pageCount: 270 });
  await page.waitForSelector('[data-testid="sync-status"][data-online="false"]');
  await shot('books-offline');
  await context.setOffline(false);
  await waitSynced(page);

  await page.goto(`${url}/#/library/city`);
  await page.getByTestId('library-book').first().waitFor();
  await shot('books-library');

  await page.goto(`${url}/#/books`);
  await page.getByTestId('book').first().waitFor();
  await page.getByRole('button', { name: 'Devtools' }).click();
  await page.locator('[data-sssync-devtools]').waitFor();
  await page.waitForTimeout(500);
  await shot('books-devtools');
  console.log(`Screenshots in ${out}`);
} finally {
  await browser.close();
  await server.close();
  dir.remove();
}
