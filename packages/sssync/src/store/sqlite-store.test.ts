import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runStoreSuite } from '../testing/index.js';
import { awkwardRow, entry, expectRejects, page, rowsFor } from '../testing/store-fixtures.js';
import { sqliteStore } from './sqlite-store.js';
import type { Store, StoreBatch } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'sssync-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const newPath = () => join(dir, `${randomUUID()}.db`);

const paths = new WeakMap<Store, string>();
function storeAt(path: string): Store {
  const s = sqliteStore(path);
  paths.set(s, path);
  return s;
}

runStoreSuite('sqlite', () => storeAt(newPath()), {
  reopen: (s) => storeAt(paths.get(s) ?? newPath()),
});

describe('sqliteStore', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  /** A store at a new path, opened, holding `batch`, then closed so raw connections see the file. */
  async function fileWith(batch: StoreBatch): Promise<{ path: string; store: Store }> {
    const path = newPath();
    const store = sqliteStore(path);
    cleanup.push(() => store.close());
    await store.open('app');
    await store.commit(batch);
    await store.close();
    return { path, store };
  }

  function raw(path: string, readonly = false): Database.Database {
    const db = new Database(path, { readonly, fileMustExist: true });
    cleanup.push(() => db.close());
    return db;
  }

  const dump = (path: string) => {
    const db = raw(path, true);
    const tables = ['sssync_pages', 'sssync_rows', 'sssync_outbox', 'sssync_meta'];
    return {
      version: db.pragma('user_version', { simple: true }),
      ...Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()])),
    };
  };

  const books = new Map([
    [
      'books:0',
      page('books', [{ id: 'b1', title: 'Dune', pageCount: 412, author: { name: 'Herbert' } }, awkwardRow]),
    ],
    ['books:1', page('books', [{ id: 'b2', title: 'Emma', pageCount: 474, author: null }])],
    ['authors:0', page('authors', [{ id: 7, name: 'Austen' }])],
  ]);

  it('is readable with plain SQL: one SQL row per engine row, JSON in data', async () => {
    const { path } = await fileWith({
      putPages: books,
      putOutbox: [entry(1)],
      putMeta: new Map([['cursor', 'c-1']]),
    });
    const db = raw(path, true);
    const titles = db
      .prepare(
        "SELECT json_extract(data, '$.title') AS title FROM sssync_rows WHERE tbl = 'books' ORDER BY title",
      )
      .pluck()
      .all();
    expect(titles).toEqual([null, 'Dune', 'Emma']);
    expect(
      db.prepare("SELECT id, page FROM sssync_rows WHERE json_extract(data, '$.pageCount') > 450").get(),
    ).toEqual({
      id: 'b2',
      page: 'books:1',
    });
    expect(db.prepare('SELECT id, tbl, row_count FROM sssync_pages ORDER BY id').all()).toEqual([
      { id: 'authors:0', tbl: 'authors', row_count: 1 },
      { id: 'books:0', tbl: 'books', row_count: 2 },
      { id: 'books:1', tbl: 'books', row_count: 1 },
    ]);
    expect(db.prepare("SELECT name, json_extract(args, '$[0]') AS first FROM sssync_outbox").get()).toEqual({
      name: 'createBook',
      first: 'book-1',
    });
    expect(db.prepare("SELECT json(value) FROM sssync_meta WHERE key = 'cursor'").pluck().get()).toBe(
      '"c-1"',
    );
  });

  it('keeps each row in its own SQL row, and one bookkeeping row per page', async () => {
    const many = new Map([0, 1].map((n) => [`books:${n}`, page('books', rowsFor(n, 300))]));
    const { path } = await fileWith({ putPages: many });
    const db = raw(path, true);
    expect(db.prepare('SELECT count(*) FROM sssync_rows').pluck().get()).toBe(600);
    expect(db.prepare('SELECT count(*) FROM sssync_pages').pluck().get()).toBe(2);
  });

  const corruptions: readonly [string, string][] = [
    ['invalid JSON in a row', 'UPDATE sssync_rows SET data = \'{"id": "b1", \' WHERE id = \'b1\''],
    ['a row that is not an object', "UPDATE sssync_rows SET data = '[1, 2]' WHERE id = 'b1'"],
    ['a row whose JSON has no id', `UPDATE sssync_rows SET data = '{"title": "Dune"}' WHERE id = 'b1'`],
    ['a row lost from its page', "DELETE FROM sssync_rows WHERE id = 'b2'"],
    ['rows without a page', "DELETE FROM sssync_pages WHERE id = 'books:1'"],
    ['a row of another table than its page', "UPDATE sssync_rows SET tbl = 'authors' WHERE id = 'b2'"],
    ['invalid JSON in outbox args', "UPDATE sssync_outbox SET args = 'not json'"],
    ['outbox args that are not a list', `UPDATE sssync_outbox SET args = '{"a": 1}'`],
    ['invalid JSON in outbox undo', "UPDATE sssync_outbox SET undo = '['"],
    ['an outbox timestamp that is not a number', "UPDATE sssync_outbox SET timestamp = 'soon'"],
    ['invalid JSON in meta', "UPDATE sssync_meta SET value = '{oops}'"],
  ];

  it.each(corruptions)('rejects %s with STORE_CORRUPTED and changes nothing', async (_, sql) => {
    const { path, store } = await fileWith({
      putPages: books,
      putOutbox: [entry(1)],
      putMeta: new Map([['k', 1]]),
    });
    const db = raw(path);
    expect(db.prepare(sql).run().changes).toBe(1);
    db.close();
    const before = dump(path);

    await store.open('app');
    await expectRejects(store.load(), 'STORE_CORRUPTED');
    await store.close();
    expect(dump(path)).toEqual(before);
  });

  it('refuses a file from a newer store format with STORE_NEWER_SCHEMA and changes nothing', async () => {
    const { path, store } = await fileWith({ putPages: books, putMeta: new Map([['k', 1]]) });
    const db = raw(path);
    db.pragma('journal_mode = DELETE');
    db.pragma('user_version = 2');
    db.close();
    const before = readFileSync(path);

    const e = await expectRejects(store.open('app'), 'STORE_NEWER_SCHEMA');
    expect(e.message).toMatch(/format 2.*upgrade SSSync/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
    await expectRejects(store.load(), 'STORE_CLOSED');
  });

  it('refuses a file that is not a SQLite database with STORE_CORRUPTED and leaves it alone', async () => {
    const path = newPath();
    writeFileSync(path, 'these are not the bytes you are looking for'.repeat(100));
    const before = readFileSync(path);
    const store = sqliteStore(path);
    cleanup.push(() => store.close());
    await expectRejects(store.open('app'), 'STORE_CORRUPTED');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('rejects a row id that is in two pages of one table, changing nothing', async () => {
    const { path, store } = await fileWith({ putPages: books });
    await store.open('app');
    const before = await store.load();
    const e = await expectRejects(
      store.commit({
        putPages: new Map([['books:2', page('books', [{ id: 'b9' }, { id: 'b1', title: 'again' }])]]),
      }),
      'STORE_WRITE_FAILED',
    );
    expect(e.message).toMatch(/appears twice in one table/);
    expect(await store.load()).toEqual(before);
    await store.close();
    expect(raw(path, true).prepare("SELECT count(*) FROM sssync_rows WHERE id = 'b9'").pluck().get()).toBe(0);
  });

  it('moves a row between pages within one batch', async () => {
    const { store } = await fileWith({ putPages: books });
    await store.open('app');
    // The row leaves books:0 in a put that comes after the put that takes it in.
    await store.commit({
      putPages: new Map([
        ['books:1', page('books', [{ id: 'b2' }, { id: 'b1', title: 'moved' }])],
        ['books:0', page('books', [awkwardRow])],
      ]),
    });
    const pages = (await store.load()).pages;
    expect([pages.get('books:0')?.rows, pages.get('books:1')?.rows]).toEqual([
      [awkwardRow],
      [{ id: 'b2' }, { id: 'b1', title: 'moved' }],
    ]);
  });

  it('rolls back a commit that fails half-way through the SQL', async () => {
    const { path, store } = await fileWith({
      putPages: books,
      putOutbox: [entry(1)],
      putMeta: new Map([['k', 1]]),
    });
    // Fails the last statement of the batch, after the clear and the page writes ran.
    raw(path).exec(
      "CREATE TRIGGER fail_meta BEFORE INSERT ON sssync_meta WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END",
    );
    await store.open('app');
    const before = await store.load();
    const e = await expectRejects(
      store.commit({
        clear: true,
        putPages: new Map([['books:9', page('books', rowsFor(9, 50))]]),
        putOutbox: [entry(2)],
        putMeta: new Map([['boom', true]]),
      }),
      'STORE_WRITE_FAILED',
    );
    expect(e.message).toMatch(/injected/);
    expect(await store.load()).toEqual(before);
  });

  it('rejects values that JSON would silently change, changing nothing', async () => {
    const { store } = await fileWith({ putMeta: new Map([['k', 1]]) });
    await store.open('app');
    for (const value of [new Date(0), new Map([['a', 1]]), Number.NaN, Number.POSITIVE_INFINITY, 10n]) {
      await expectRejects(
        store.commit({ clear: true, putMeta: new Map([['v', { value }]]) }),
        'STORE_WRITE_FAILED',
      );
    }
    expect(Object.fromEntries((await store.load()).meta)).toEqual({ k: 1 });
  });

  it('opens read-only: loads, refuses commits, and will not open a file that holds no store', async () => {
    const { path } = await fileWith({ putPages: books });
    const reader = sqliteStore(path, { readonly: true });
    cleanup.push(() => reader.close());
    await reader.open('app');
    expect((await reader.load()).pages).toEqual(books);
    await expectRejects(reader.commit({ putMeta: new Map([['k', 1]]) }), 'STORE_WRITE_FAILED');

    const empty = newPath();
    new Database(empty).close();
    await expectRejects(sqliteStore(empty, { readonly: true }).open('app'), 'INVALID_ARGUMENT');
    await expectRejects(sqliteStore(newPath(), { readonly: true }).open('app'), 'STORE_WRITE_FAILED');
  });
});
