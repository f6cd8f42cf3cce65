/** The desktop example's flow, then the file read with plain SQL (better-sqlite3, no SSSync). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs example, run as is
import { main } from './desktop.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('examples/desktop.mjs', () => {
  it('keeps notes in a SQLite file across sessions, readable with plain SQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sssync-desktop-test-'));
    dirs.push(dir);
    const file = join(dir, 'notes.db');
    const printed: string[] = [];
    await main(file, (line: string) => printed.push(line));
    expect(printed.slice(0, 2)).toEqual([
      'n1  2026-01-02T08:00:00.000Z  Groceries: eggs, rice, tea',
      'n2  2026-01-03T09:30:00.000Z  Ideas: a sync engine',
    ]);
    expect(printed.at(-1)).toContain(`sqlite3 ${file} "SELECT`);

    const db = new Database(file, { readonly: true });
    const rows = db
      .prepare(
        "SELECT id, json_extract(data, '$.title') AS title, json_extract(data, '$.body') AS body FROM sssync_rows WHERE tbl = 'notes' ORDER BY id",
      )
      .all();
    db.close();
    expect(rows).toEqual([
      { id: 'n1', title: 'Groceries', body: 'eggs, rice, tea' },
      { id: 'n2', title: 'Ideas', body: 'a sync engine' },
    ]);
  });
});
