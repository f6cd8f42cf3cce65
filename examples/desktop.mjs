// "The Long Now": a desktop-style app whose data lives in one SQLite file on the user's disk, with no
// server at all. It writes a few notes, closes, reopens the file and reads them back — then prints the
// `sqlite3` command that reads the same file without SSSync. Run: `npm run build && node examples/desktop.mjs [file]`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { c, defineMutators, defineSchema, SSSync, table } from 'sssync';
import { sqliteStore } from 'sssync/sqlite';

export const schema = defineSchema({
  version: 1,
  tables: {
    notes: table({ id: c.string(), title: c.string(), body: c.string(), createdAt: c.date() }),
  },
});

export const mutators = defineMutators(schema, {
  addNote: (tx, id, title, body, createdAt) => tx.notes.insert({ id, title, body, createdAt }),
  editNote: (tx, id, body) => tx.notes.update({ id, body }),
});

/** No `server`: every write is local, durable in the file, and the app works forever offline. */
export const openNotes = (file) => new SSSync('notes', { schema, mutators, store: sqliteStore(file) });

export async function main(file, print = console.log) {
  const first = openNotes(file);
  await first.ready;
  await first.execute.addNote('n1', 'Groceries', 'eggs, rice', '2026-01-02T08:00:00.000Z');
  await first.execute.addNote('n2', 'Ideas', 'a sync engine', '2026-01-03T09:30:00.000Z');
  await first.execute.editNote('n1', 'eggs, rice, tea');
  await first.close();

  const again = openNotes(file); // a later session (or a new version of the app) opens the same file
  await again.ready;
  const notes = await again.query.notes.orderBy('createdAt').run();
  for (const n of notes) print(`${n.id}  ${n.createdAt}  ${n.title}: ${n.body}`);
  await again.close();
  print('');
  print('Read the file without SSSync:');
  print(
    `  sqlite3 ${file} "SELECT id, json_extract(data, '$.title'), json_extract(data, '$.body') FROM sssync_rows WHERE tbl = 'notes'"`,
  );
  return notes;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'sssync-desktop-')), 'notes.db');
  await main(file);
}
