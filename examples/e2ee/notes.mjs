// End-to-end encrypted notes: the server stores and syncs `{ id, owner, ciphertext, iv }` and nothing
// else; title, body and tags are sealed on the client (AES-GCM, key from the user's passphrase) before
// they reach a mutation, a row, the outbox or the network. Run: `npm run build && node examples/e2ee/notes.mjs`
// — a real HTTP server on a SQLite file, two devices of one user, and what the server holds.

import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { c, defineMutators, defineSchema, SSSync, table, withArgs } from 'sssync';
import { memoryStore } from 'sssync/memory';
import { createSyncHandler, toNodeHandler } from 'sssync/server';
import { sqliteDatabase } from 'sssync/server/sqlite';
import * as v from 'valibot';
import {
  CIPHERTEXT_PATTERN,
  decryptedQuery,
  decryptJSON,
  deriveKey,
  encryptJSON,
  IV_PATTERN,
} from './e2ee.mjs';

/** Labels the salt, so the same user and passphrase give another key in another app. */
export const APP = 'sssync-e2ee-notes/v1';

export const schema = defineSchema({
  version: 1,
  tables: {
    // What the server sees of a note: its id, its owner, and the sealed content.
    notes: table({ id: c.string(), owner: c.string(), ciphertext: c.string(), iv: c.string() }),
  },
});

// The only way to write a note takes a sealed value: `{ ciphertext, iv }` in base64 and no other key
// (a strict object), checked on the client and again on the server. A plaintext `title` in the
// arguments is refused before it is stored or sent.
const sealed = v.strictObject({
  ciphertext: v.pipe(v.string(), v.regex(CIPHERTEXT_PATTERN)),
  iv: v.pipe(v.string(), v.regex(IV_PATTERN)),
});
const putNoteArgs = [v.string(), v.string(), sealed];

export const mutators = defineMutators(schema, {
  putNote: withArgs(putNoteArgs, (tx, id, owner, { ciphertext, iv }) =>
    tx.notes.upsert({ id, owner, ciphertext, iv }),
  ),
  deleteNote: (tx, id) => tx.notes.delete({ id }),
});

/** The server decides who may write: only the owner, only their own rows. It never needs the key. */
const mine = async (tx, id) => {
  const row = await tx.notes.get(id);
  if (row && row.owner !== tx.userID) throw new Error(`note ${id} belongs to someone else`);
};
export const serverMutators = {
  putNote: withArgs(putNoteArgs, async (tx, id, owner, { ciphertext, iv }) => {
    if (owner !== tx.userID) throw new Error('notes can only be written by their owner');
    await mine(tx, id);
    await tx.notes.upsert({ id, owner, ciphertext, iv });
  }),
  deleteNote: async (tx, id) => {
    await mine(tx, id);
    await tx.notes.delete({ id });
  },
};

/**
 * The sync server. It scopes by what it can see — the owner column — and serves and stores opaque
 * ciphertext. Authentication here is a demo (`Bearer <userID>`): use your real one.
 */
export function notesHandler(database) {
  return createSyncHandler({
    schema,
    mutators,
    serverMutators,
    database,
    resources: { '/user/notes': ({ userID, query }) => query.notes.where('owner', '=', userID) },
    authenticate: (request) => {
      const user = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return user === undefined ? null : { userID: user };
    },
    onError: () => {},
  });
}

/** A device of `userID`: an ordinary SSSync client. It only ever stores and sends encrypted rows. */
export function notesClient({ server, userID, fetch, store = memoryStore() }) {
  return new SSSync(`${APP}:${userID}`, {
    schema,
    mutators,
    store,
    server,
    headers: () => ({ authorization: `Bearer ${userID}` }),
    loaders: { '/user/notes': {} },
    backoff: { baseMs: 5, maxMs: 50 },
    ...(fetch ? { fetch } : {}),
  });
}

/** The user's key (PBKDF2-SHA-256, 600k iterations, salt from the user id: see e2ee.mjs). */
export const notesKey = (passphrase, userID, iterations) =>
  deriveKey(passphrase, { app: APP, userID, ...(iterations ? { iterations } : {}) });

/** What the ciphertext is bound to (authenticated, not secret): the note's table, id and owner. */
const context = (id, owner) => `notes/${encodeURIComponent(id)}/${encodeURIComponent(owner)}`;

/**
 * Seals a note's content. Use it as the mutation's argument:
 * `await sssync.execute.putNote(id, owner, await encryptNote(key, id, owner, { title, body, tags }))`.
 */
export const encryptNote = (key, id, owner, note) => encryptJSON(key, context(id, owner), note);

/** A row back to what the UI shows: `{ id, owner, title, body, tags, … }`. Throws `E2EEError` `WRONG_KEY`. */
export async function decryptNote(key, row) {
  const content = await decryptJSON(key, context(row.id, row.owner), row);
  return { ...content, id: row.id, owner: row.owner };
}

/**
 * The user's notes in plaintext, live: `notesQuery(sssync, key, userID, { where, orderBy }).subscribe(render)`.
 * The database query can only use `id` and `owner`; `where`/`orderBy` run on the decrypted notes.
 */
export function notesQuery(sssync, key, userID, options = {}) {
  return decryptedQuery(
    sssync.query.notes.where('owner', '=', userID),
    (row) => decryptNote(key, row),
    options,
  );
}

export async function main(file, print = console.log) {
  const database = sqliteDatabase(file);
  const http = createServer(toNodeHandler(notesHandler(database)));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(undefined)));
  const server = `http://127.0.0.1:${http.address().port}/sync`;
  const user = 'alice';
  try {
    const laptop = notesClient({ server, userID: user });
    await laptop.ready;
    laptop.persist('/user/notes');
    const key = await notesKey('correct horse battery staple', user);
    for (const [id, note] of [
      [
        'n1',
        { title: 'Passport renewal', body: 'Appointment on the 14th, bring two photos', tags: ['admin'] },
      ],
      ['n2', { title: 'Birthday gift ideas', body: 'A telescope for Sam', tags: ['family', 'secret'] }],
    ]) {
      await laptop.execute.putNote(id, user, await encryptNote(key, id, user, note));
    }
    await laptop.sync();

    const phone = notesClient({ server, userID: user }); // another device: same user, same passphrase
    await phone.ready;
    await phone.persist('/user/notes').ready;
    const phoneKey = await notesKey('correct horse battery staple', user);
    const byTitle = { orderBy: (a, b) => a.title.localeCompare(b.title) };
    print('The phone decrypts what the laptop wrote:');
    for (const n of await notesQuery(phone, phoneKey, user, byTitle).run()) {
      print(`  ${n.id}  ${n.title}: ${n.body} [${n.tags.join(', ')}]`);
    }
    const wrong = await notesKey('wrong passphrase', user);
    await notesQuery(phone, wrong, user)
      .run()
      .catch((e) => print(`With a wrong passphrase: ${e.code}: ${e.message}`));
    await laptop.close();
    await phone.close();
  } finally {
    await new Promise((resolve) => http.close(() => resolve(undefined)));
    await database.close();
  }
  print('');
  print('What the server stores (no title, body or tag anywhere):');
  const sql = "SELECT id, owner, substr(ciphertext, 1, 24) || '…' AS ciphertext, iv FROM notes ORDER BY id";
  const db = new Database(file, { readonly: true });
  for (const r of db.prepare(sql).all()) print(`  ${r.id}  ${r.owner}  ${r.ciphertext}  iv ${r.iv}`);
  db.close();
  print(`  (sqlite3 ${file} "${sql}")`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'sssync-e2ee-')), 'sync.db'));
}
