/**
 * End-to-end encryption (examples/e2ee): two devices of one user sync encrypted notes through
 * `createSyncHandler` on a SQLite file; the second decrypts what the first wrote, a wrong passphrase
 * fails clearly, and no plaintext reaches the server — not in its tables, not in its file's bytes,
 * not in any request or response — nor the device's own SQLite store.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteDatabase } from 'sssync/server/sqlite';
import { sqliteStore } from 'sssync/sqlite';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs example, run as is
import { CIPHERTEXT_PATTERN, decryptJSON, encryptJSON, IV_PATTERN } from './e2ee.mjs';
// @ts-expect-error: a plain .mjs example, run as is
import { decryptNote, encryptNote, main, notesClient, notesHandler, notesKey, notesQuery } from './notes.mjs';

/** Unique strings: if any of them shows up on the server, plaintext leaked. */
const SECRET = {
  n1: {
    title: 'Plaintext-title-Q7ZK-passport',
    body: 'Plaintext-body-W3XV-two-photos',
    tags: ['tagmark-J5RT'],
  },
  n2: { title: 'Plaintext-title-M2PB-gifts', body: 'Plaintext-body-H8LC-telescope', tags: ['tagmark-D4NY'] },
  edit: 'Plaintext-body-F6GS-edited',
};
const PLAINTEXTS = [
  SECRET.n1.title,
  SECRET.n1.body,
  ...SECRET.n1.tags,
  SECRET.n2.title,
  SECRET.n2.body,
  ...SECRET.n2.tags,
  SECRET.edit,
];
const PASSPHRASE = 'correct horse battery staple';
const USER = 'alice';

let key: CryptoKey;
let wrongKey: CryptoKey;
beforeAll(async () => {
  key = await notesKey(PASSPHRASE, USER);
  wrongKey = await notesKey('correct horse battery stapler', USER);
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function eventually(check: () => void | Promise<void>, tries = 400): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await check();
    } catch (e) {
      if (i >= tries) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** A server on a SQLite file in a fresh temp dir, and a fetch that records every request and response. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'sssync-e2ee-test-'));
  dirs.push(dir);
  const file = join(dir, 'sync.db');
  const database = sqliteDatabase(file);
  const handler = notesHandler(database);
  const traffic: { url: string; request: string; response: string }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const sent = await request.clone().text();
    const response = await handler(request);
    traffic.push({ url: request.url, request: sent, response: await response.clone().text() });
    return response;
  };
  const device = (name: string, userID = USER) =>
    notesClient({
      server: 'http://test/sync',
      userID,
      fetch,
      store: sqliteStore(join(dir, `${name}.db`)),
    });
  return { dir, file, database, traffic, device };
}

const put = (client: any, id: 'n1' | 'n2', note: object, k = key) =>
  encryptNote(k, id, USER, note).then((sealed: unknown) => client.execute.putNote(id, USER, sealed));

/** Every string and blob in every column of every table of a SQLite file. */
function everyValue(file: string): { table: string; column: string; value: string }[] {
  const db = new Database(file, { readonly: true });
  const out: { table: string; column: string; value: string }[] = [];
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
    name: string;
  }[];
  for (const { name } of tables) {
    for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all() as object[]) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string') out.push({ table: name, column, value });
        else if (Buffer.isBuffer(value)) out.push({ table: name, column, value: value.toString('latin1') });
      }
    }
  }
  db.close();
  return out;
}

/** The raw bytes of a SQLite file and its -wal / -journal / -shm companions. */
function rawBytes(file: string): Buffer {
  const dir = join(file, '..');
  const base = file.slice(dir.length + 1);
  return Buffer.concat(
    readdirSync(dir)
      .filter((f) => f.startsWith(base))
      .map((f) => readFileSync(join(dir, f))),
  );
}

function expectNoPlaintext(text: string, where: string) {
  for (const p of PLAINTEXTS) expect(text.includes(p), `${JSON.stringify(p)} found in ${where}`).toBe(false);
}

describe('examples/e2ee: end-to-end encrypted notes', () => {
  it('a second device with the same passphrase decrypts what the first wrote, live', async () => {
    const { database, device } = setup();
    const laptop = device('laptop');
    await laptop.ready;
    laptop.persist('/user/notes');
    await put(laptop, 'n1', SECRET.n1);
    await put(laptop, 'n2', SECRET.n2);
    await laptop.sync();

    const phone = device('phone');
    await phone.ready;
    await phone.persist('/user/notes').ready;
    const phoneKey = await notesKey(PASSPHRASE, USER); // derived on the phone: same passphrase, same user
    const byTitle = { orderBy: (a: any, b: any) => a.title.localeCompare(b.title) };
    expect(await notesQuery(phone, phoneKey, USER, byTitle).run()).toEqual([
      { id: 'n2', owner: USER, ...SECRET.n2 },
      { id: 'n1', owner: USER, ...SECRET.n1 },
    ]);

    // Live: the phone follows the laptop's edits; client-side filters see the decrypted fields.
    const seen: any[][] = [];
    const stop = notesQuery(phone, phoneKey, USER, {
      where: (n: any) => n.tags.includes('tagmark-J5RT') || n.body.includes('telescope'),
      orderBy: (a: any, b: any) => a.id.localeCompare(b.id),
    }).subscribe((rows: any[]) => seen.push(rows));
    await eventually(() => expect(seen.length).toBe(1));
    const before = (await phone.query.notes.where('id', '=', 'n1').one().run()) as any;
    await put(laptop, 'n1', { ...SECRET.n1, body: SECRET.edit });
    await laptop.sync();
    await phone.sync();
    await eventually(() => expect(seen.at(-1)?.[0]?.body).toBe(SECRET.edit));
    stop();
    const after = (await phone.query.notes.where('id', '=', 'n1').one().run()) as any;
    expect(after.iv).not.toBe(before.iv); // a fresh IV for every write
    expect(after.ciphertext).not.toBe(before.ciphertext);
    const [first, last] = [seen[0]!, seen.at(-1)!];
    expect(first.map((n) => n.id)).toEqual(['n1', 'n2']);
    expect(last[1]).toBe(first[1]); // n2 did not change: not decrypted again, same object

    await laptop.close();
    await phone.close();
    await database.close();
  });

  it('a wrong passphrase fails to decrypt with a clear error', async () => {
    const { database, device } = setup();
    const laptop = device('laptop');
    await laptop.ready;
    await laptop.persist('/user/notes').ready;
    await put(laptop, 'n1', SECRET.n1);
    const query = notesQuery(laptop, wrongKey, USER);
    await expect(query.run()).rejects.toMatchObject({
      name: 'E2EEError',
      code: 'WRONG_KEY',
      message: 'Cannot decrypt notes/n1/alice: wrong passphrase, or the data was altered.',
    });
    const errors: unknown[] = [];
    const results: unknown[] = [];
    const stop = query.subscribe(
      (rows: unknown) => results.push(rows),
      (e: unknown) => errors.push(e),
    );
    await eventually(() => expect(errors).toHaveLength(1));
    stop();
    expect(results).toEqual([]); // no partial list
    expect(errors[0]).toMatchObject({ code: 'WRONG_KEY' });
    // The same user id with the right passphrase still reads it.
    expect(await notesQuery(laptop, key, USER).run()).toEqual([{ id: 'n1', owner: USER, ...SECRET.n1 }]);
    await laptop.close();
    await database.close();
  });

  it('no plaintext reaches the server: not its tables, its file, the requests or the responses', async () => {
    const { file, dir, database, traffic, device } = setup();
    const laptop = device('laptop');
    await laptop.ready;
    laptop.persist('/user/notes');
    await put(laptop, 'n1', SECRET.n1);
    await put(laptop, 'n2', SECRET.n2);
    await laptop.sync();
    await put(laptop, 'n1', { ...SECRET.n1, body: SECRET.edit });
    await laptop.sync();
    const phone = device('phone');
    await phone.ready;
    await phone.persist('/user/notes').ready;
    expect((await notesQuery(phone, key, USER).run()).map((n: any) => n.body).sort()).toEqual(
      [SECRET.edit, SECRET.n2.body].sort(),
    );
    const onDevice = await laptop.query.notes.orderBy('id').run();
    await laptop.close();
    await phone.close();
    await database.close();

    // The server's tables: every text and blob column of every table (data, mutation log, metadata).
    const values = everyValue(file);
    expect(values.length).toBeGreaterThan(0);
    for (const { table, column, value } of values) expectNoPlaintext(value, `${table}.${column}`);
    // …while the encrypted rows are there, exactly as the devices hold them.
    const server = new Database(file, { readonly: true });
    const stored = server.prepare('SELECT id, owner, ciphertext, iv FROM notes ORDER BY id').all() as {
      id: string;
      owner: string;
      ciphertext: string;
      iv: string;
    }[];
    server.close();
    expect(stored).toEqual(
      onDevice.map(({ id, owner, ciphertext, iv }: any) => ({ id, owner, ciphertext, iv })),
    );
    expect(stored.map((r) => r.id)).toEqual(['n1', 'n2']);
    for (const r of stored) {
      expect(r.owner).toBe(USER);
      expect(r.ciphertext).toMatch(CIPHERTEXT_PATTERN);
      expect(r.iv).toMatch(IV_PATTERN);
      expect(await decryptNote(key, r)).toMatchObject({ id: r.id }); // real ciphertext, not junk
    }

    // The raw bytes of the server's file (and its WAL, if any), as UTF-8 and as UTF-16.
    const bytes = rawBytes(file);
    expect(bytes.length).toBeGreaterThan(0);
    for (const p of PLAINTEXTS) {
      expect(bytes.includes(Buffer.from(p, 'utf8')), `${p} in the server's file`).toBe(false);
      expect(bytes.includes(Buffer.from(p, 'utf16le')), `${p} in the server's file (UTF-16)`).toBe(false);
    }
    expect(bytes.includes(Buffer.from(stored[0]!.ciphertext))).toBe(true);

    // Everything sent and received: the pushes carry ciphertext, and no request or response plaintext.
    const pushes = traffic.filter((t) => t.url.endsWith('/push'));
    expect(pushes.length).toBeGreaterThanOrEqual(2);
    for (const t of traffic) {
      expectNoPlaintext(t.request, `a request to ${t.url}`);
      expectNoPlaintext(t.response, `the response of ${t.url}`);
    }
    for (const r of stored) expect(pushes.some((t) => t.request.includes(r.ciphertext))).toBe(true);

    // The devices' own SQLite stores (rows, outbox with mutation arguments) hold no plaintext either.
    for (const name of ['laptop.db', 'phone.db']) {
      expect(existsSync(join(dir, name))).toBe(true);
      for (const { table, column, value } of everyValue(join(dir, name)))
        expectNoPlaintext(value, `${name} ${table}.${column}`);
      for (const p of PLAINTEXTS) expect(rawBytes(join(dir, name)).includes(Buffer.from(p))).toBe(false);
    }
  });

  it('plaintext cannot be passed as a mutation argument, and the server keeps notes to their owner', async () => {
    const { file, database, device, traffic } = setup();
    const laptop = device('laptop');
    await laptop.ready;
    await laptop.persist('/user/notes').ready;
    await expect(
      laptop.execute.putNote('n1', USER, { ...(await encryptNote(key, 'n1', USER, SECRET.n1)), title: 'x' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      laptop.execute.putNote('n1', USER, { ciphertext: SECRET.n1.title, iv: 'AAAAAAAAAAAAAAAA' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await put(laptop, 'n1', SECRET.n1);
    await laptop.sync();
    expect(laptop.pendingCount).toBe(0);
    for (const t of traffic) expectNoPlaintext(t.request, t.url);

    // Bob (another account) cannot overwrite or delete Alice's note: the server refuses, by owner.
    const bob = device('bob', 'bob');
    await bob.ready;
    const sealed = await encryptNote(key, 'n1', 'bob', { title: 'mine now' });
    const steal = bob.execute.putNote('n1', 'bob', sealed);
    const erase = bob.execute.deleteNote('n1');
    await bob.sync();
    await expect(steal.confirmed).rejects.toMatchObject({ code: 'SERVER_REJECTED' });
    await expect(erase.confirmed).rejects.toMatchObject({ code: 'SERVER_REJECTED' });
    const onLaptop = (await laptop.query.notes.where('id', '=', 'n1').one().run()) as any;
    await laptop.close();
    await bob.close();
    await database.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT id, owner, ciphertext, iv FROM notes').all()).toEqual([
      { id: 'n1', owner: USER, ciphertext: onLaptop.ciphertext, iv: onLaptop.iv },
    ]);
    db.close();
  });

  it('ciphertext is bound to its row: moved to another id or owner it does not decrypt', async () => {
    const sealed = await encryptNote(key, 'n1', USER, SECRET.n1);
    expect(await decryptNote(key, { id: 'n1', owner: USER, ...sealed })).toEqual({
      id: 'n1',
      owner: USER,
      ...SECRET.n1,
    });
    await expect(decryptNote(key, { id: 'n2', owner: USER, ...sealed })).rejects.toMatchObject({
      code: 'WRONG_KEY',
    });
    await expect(decryptNote(key, { id: 'n1', owner: 'bob', ...sealed })).rejects.toMatchObject({
      code: 'WRONG_KEY',
    });
    // Same note twice: a fresh IV, so different ciphertexts (equal notes do not show as equal).
    const again = await encryptNote(key, 'n1', USER, SECRET.n1);
    expect(again.iv).not.toBe(sealed.iv);
    expect(again.ciphertext).not.toBe(sealed.ciphertext);
    // Another user with the same passphrase has another key (the salt is per user).
    const bobKey = await notesKey(PASSPHRASE, 'bob');
    const forBob = await encryptJSON(bobKey, 'ctx', { a: 1 });
    await expect(decryptJSON(key, 'ctx', forBob)).rejects.toMatchObject({ code: 'WRONG_KEY' });
    expect(await decryptJSON(bobKey, 'ctx', forBob)).toEqual({ a: 1 });
  });

  it('the runnable example (node examples/e2ee/notes.mjs) prints the decrypted notes and the ciphertext', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sssync-e2ee-main-'));
    dirs.push(dir);
    const printed: string[] = [];
    await main(join(dir, 'sync.db'), (line: string) => printed.push(line));
    expect(printed.slice(0, 4)).toEqual([
      'The phone decrypts what the laptop wrote:',
      '  n2  Birthday gift ideas: A telescope for Sam [family, secret]',
      '  n1  Passport renewal: Appointment on the 14th, bring two photos [admin]',
      'With a wrong passphrase: WRONG_KEY: Cannot decrypt notes/n1/alice: wrong passphrase, or the data was altered.',
    ]);
    const stored = printed.filter((l) => /^ {2}n\d {2}alice {2}/.test(l));
    expect(stored).toHaveLength(2);
    for (const l of stored) expect(l).not.toMatch(/Passport|telescope|Birthday/);
  });
});
