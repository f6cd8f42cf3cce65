import { Database } from '../query/database.js';
import { runMigrations, type StoredRow } from '../schema/migration.js';
import type { Schema } from '../schema/schema.js';
import { checkStoredRow, type RowRecord } from '../schema/validate-row.js';
import { PageMap } from '../store/page-map.js';
import type { OutboxEntry, Store, StoredPage, StoreSnapshot, UndoEntry } from '../store/store.js';
import { errorMessage, SSSyncError } from '../util/errors.js';
import {
  ABSENT_PAGE_PREFIX,
  absentPageId,
  MEMBERSHIP_TABLE,
  Membership,
  type MembershipRow,
  membershipPageId,
} from './membership.js';
import { META, randomID, STORE_FORMAT } from './meta.js';

export interface OpenedClient {
  readonly db: Database;
  readonly pages: PageMap;
  readonly outbox: OutboxEntry[];
  readonly meta: Map<string, unknown>;
  readonly membership: Membership;
  /** Rows with a membership record of their own (`absentPageId`). */
  readonly absent: Set<string>;
}

/**
 * Opens a client's store: checks its format and schema version, migrates older data (all or nothing),
 * validates every row, and builds the in-memory tables. A problem fails with a clear code and writes
 * nothing, so the data on disk is never lost.
 */
export async function openClient(
  store: Store,
  name: string,
  schema: Schema,
  opts: { readOnly?: boolean } = {},
): Promise<OpenedClient> {
  await store.open(name);
  let snap = await store.load();
  const meta = new Map(snap.meta);
  if (meta.size === 0 && snap.pages.size === 0 && snap.outbox.length === 0) {
    if (opts.readOnly) {
      throw new SSSyncError(
        'STORE_CLOSED',
        'The store is not initialised yet: the leading tab opens it first.',
      );
    }
    const init = new Map<string, unknown>([
      [META.format, STORE_FORMAT],
      [META.schemaVersion, schema.version],
      [META.clientGroupID, randomID()],
      [META.clientID, randomID()],
      [META.nextMutationID, 1],
    ]);
    await store.commit({ putMeta: init });
    return {
      db: new Database(schema),
      pages: new PageMap(),
      outbox: [],
      meta: init,
      membership: new Membership(),
      absent: new Set(),
    };
  }
  const format = meta.get(META.format);
  if (typeof format !== 'number') throw corrupt('its format marker is missing');
  if (format > STORE_FORMAT) {
    throw new SSSyncError(
      'STORE_NEWER_SCHEMA',
      `This store was written by a newer SSSync (format ${format}); update the app. Nothing was changed.`,
    );
  }
  const stored = meta.get(META.schemaVersion);
  if (typeof stored !== 'number' || !Number.isInteger(stored)) throw corrupt('its schema version is missing');
  if (stored > schema.version) {
    throw new SSSyncError(
      'STORE_NEWER_SCHEMA',
      `This store holds data of schema version ${stored}, newer than the app's ${schema.version}: update the app. Nothing was changed.`,
      { details: { storedVersion: stored, appVersion: schema.version } },
    );
  }
  if (stored < schema.version) {
    if (opts.readOnly) {
      throw new SSSyncError(
        'MIGRATION_FAILED',
        `Another tab runs an older version of this app (schema ${stored}); reload it to upgrade the local data.`,
      );
    }
    snap = await migrate(store, schema, snap, stored);
    meta.set(META.schemaVersion, schema.version);
    meta.set(META.format, STORE_FORMAT);
  }
  const db = new Database(schema);
  const pages = new PageMap();
  const membership = new Membership();
  // Loading writes rows only: the indexes are built once at the end (one sort each), not per row.
  db.bulk(() => loadPages(snap, schema, db, pages));
  const legacy = loadMembership(snap.pages, membership);
  const absent = new Set<string>();
  for (const id of snap.pages.keys())
    if (id.startsWith(ABSENT_PAGE_PREFIX)) absent.add(id.slice(ABSENT_PAGE_PREFIX.length));
  if ((meta.get(META.format) as number) < STORE_FORMAT && !opts.readOnly) {
    // Format 1 → 2: membership moves from one record per row to one per data page, in one commit.
    const putPages = membershipPages(snap.pages, membership);
    // Held rows that a pending mutation deleted have no data page: they keep a record of their own.
    for (const pageId of legacy) {
      for (const row of snap.pages.get(pageId)!.rows as unknown as MembershipRow[]) {
        const [table, id] = JSON.parse(row.id) as [string, string | number];
        if (Object.hasOwn(schema.tables, table) && db.table(table).get(id) === undefined) {
          putPages.set(absentPageId(row.id), { table: MEMBERSHIP_TABLE, rows: [row as never] });
          absent.add(row.id);
        }
      }
    }
    const putMeta = new Map([[META.format, STORE_FORMAT as unknown]]);
    try {
      await store.commit({ putPages, deletePages: legacy, putMeta });
    } catch (e) {
      throw new SSSyncError(
        'MIGRATION_FAILED',
        `Upgrading the local store to format ${STORE_FORMAT} failed (${errorMessage(e)}). The old data is intact.`,
        { cause: e },
      );
    }
    meta.set(META.format, STORE_FORMAT);
  }
  return { db, pages, outbox: [...snap.outbox], meta, membership, absent };
}

/**
 * Reads resource membership in either format (see `MembershipPageRow`); returns the ids of
 * format-1 pages (one record per row), which an upgrade deletes.
 */
function loadMembership(pages: ReadonlyMap<string, StoredPage>, membership: Membership): string[] {
  const legacy: string[] = [];
  for (const [pageId, page] of pages) {
    if (page.table !== MEMBERSHIP_TABLE) continue;
    const first = page.rows[0] as { id?: unknown; of?: unknown } | undefined;
    if (page.rows.length === 1 && first && Array.isArray(first.of)) {
      const data = typeof first.id === 'string' ? pages.get(first.id) : undefined;
      if (!data || data.table === MEMBERSHIP_TABLE || pageId !== membershipPageId(first.id as string)) {
        throw corrupt(`membership page "${pageId}" describes no data page`);
      }
      membership.loadPage(first, data);
    } else {
      for (const row of page.rows) membership.load(row);
      if (!pageId.startsWith(ABSENT_PAGE_PREFIX)) legacy.push(pageId);
    }
  }
  return legacy;
}

/** The membership record of every data page that has held rows (format 2). */
function membershipPages(
  pages: ReadonlyMap<string, StoredPage>,
  membership: Membership,
): Map<string, StoredPage> {
  const out = new Map<string, StoredPage>();
  for (const [pageId, page] of pages) {
    if (page.table === MEMBERSHIP_TABLE) continue;
    const record = membership.pageRecord(pageId, page);
    if (record) out.set(membershipPageId(pageId), { table: MEMBERSHIP_TABLE, rows: [record] });
  }
  return out;
}

function loadPages(snap: StoreSnapshot, schema: Schema, db: Database, pages: PageMap) {
  for (const [pageId, page] of snap.pages) {
    if (page.table === MEMBERSHIP_TABLE) continue;
    if (!Object.hasOwn(schema.tables, page.table))
      throw corrupt(`page "${pageId}" belongs to unknown table "${page.table}"`);
    const def = schema.tables[page.table]!;
    const table = db.table(page.table);
    for (const raw of page.rows) {
      try {
        table.put(checkStoredRow(page.table, def, raw));
      } catch (e) {
        throw corrupt(
          `a row of "${page.table}" in page "${pageId}" does not match the schema: ${errorMessage(e)}`,
          e,
        );
      }
    }
    pages.load(pageId, page);
  }
}

function corrupt(what: string, cause?: unknown): SSSyncError {
  return new SSSyncError(
    'STORE_CORRUPTED',
    `The local store is corrupted: ${what}. Nothing was changed; export or inspect it, or delete the local database to re-sync.`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Runs the schema's migrations over every stored row (and the before-images kept in the outbox),
 * checks the result against the current schema, and rewrites the store in one commit.
 */
async function migrate(
  store: Store,
  schema: Schema,
  snap: StoreSnapshot,
  from: number,
): Promise<StoreSnapshot> {
  const fail = (msg: string, cause?: unknown) =>
    new SSSyncError(
      'MIGRATION_FAILED',
      `Migrating local data from schema version ${from} to ${schema.version} failed: ${msg}. The old data is intact.`,
      cause === undefined
        ? { details: { from, to: schema.version } }
        : { cause, details: { from, to: schema.version } },
    );
  const tables = new Map<string, StoredRow[]>();
  const membership = new Membership();
  try {
    loadMembership(snap.pages, membership);
  } catch (e) {
    throw fail(errorMessage(e), e);
  }
  for (const [, page] of snap.pages) {
    if (page.table === MEMBERSHIP_TABLE) continue;
    const rows = tables.get(page.table) ?? [];
    rows.push(...(page.rows as StoredRow[]));
    tables.set(page.table, rows);
  }
  let migrated: Map<string, StoredRow[]>;
  let outbox: OutboxEntry[];
  try {
    migrated = runMigrations(schema.migrations, from, schema.version, tables);
    outbox = snap.outbox.map((entry) => ({ ...entry, undo: migrateUndo(schema, from, entry.undo) }));
  } catch (e) {
    throw fail(errorMessage(e), e);
  }
  const pages = new PageMap();
  const changes: { table: string; id: string | number; after: RowRecord }[] = [];
  const byKey = new Map<string, RowRecord>();
  for (const [name, rows] of migrated) {
    if (!Object.hasOwn(schema.tables, name)) {
      throw fail(`table "${name}" is not in the new schema (add a dropTable or renameTable step)`);
    }
    for (const raw of rows) {
      let row: RowRecord;
      try {
        row = checkStoredRow(name, schema.tables[name]!, raw);
      } catch (e) {
        throw fail(errorMessage(e), e);
      }
      changes.push({ table: name, id: row.id as string | number, after: row });
      byKey.set(`${name}\u0000${String(row.id)}`, row);
    }
  }
  const plan = pages.plan(changes, (t, id) => byKey.get(`${t}\u0000${String(id)}`));
  for (const [pageId, page] of membershipPages(plan.putPages, membership)) plan.putPages.set(pageId, page);
  for (const [pageId, page] of snap.pages)
    if (pageId.startsWith(ABSENT_PAGE_PREFIX)) plan.putPages.set(pageId, page);
  const meta = new Map(snap.meta);
  meta.set(META.schemaVersion, schema.version);
  meta.set(META.format, STORE_FORMAT);
  try {
    await store.commit({ clear: true, putPages: plan.putPages, putOutbox: outbox, putMeta: meta });
  } catch (e) {
    throw fail(`the store could not be rewritten (${errorMessage(e)})`, e);
  }
  return { pages: plan.putPages, outbox, meta };
}

function migrateUndo(schema: Schema, from: number, undo: readonly UndoEntry[]): UndoEntry[] {
  const out: UndoEntry[] = [];
  for (const e of undo) {
    const input = new Map([[e.table, e.before ? [e.before as StoredRow] : []]]);
    // Each entry goes through the steps alone, so renames and drops follow it; a dropped table drops it.
    for (const [table, rows] of runMigrations(schema.migrations, from, schema.version, input)) {
      if (!e.before) out.push({ table, id: e.id, before: null });
      else if (rows[0]) out.push({ table, id: e.id, before: rows[0] });
    }
  }
  return out;
}
