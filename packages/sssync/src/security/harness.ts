/**
 * security/: the bad-input and security suite (issue 8 item 3) and the client-side faults that need
 * no browser (item 4). This file is its harness: the real `createSyncHandler` on SQLite in memory,
 * serving test mode (PROTOCOL.md §11: items scoped by owner, users `Bearer user-…`) plus two
 * server-only mutators that take whole objects, raw requests, a dump of every table to prove that a
 * refused request wrote nothing, and a log of every response body for the final sweep.
 */
import BetterSqlite3 from 'better-sqlite3';
import * as v from 'valibot';
import { expect, it } from 'vitest';
import { type MutatorDefs, withArgs } from '../mutation/mutators.js';
import type { Transaction } from '../mutation/transaction.js';
import type { SyncDatabase } from '../server/database.js';
import { sqliteDatabase } from '../server/dialects/sqlite.js';
import { type CreateSyncHandlerOptions, createSyncHandler, type SyncHandler } from '../server/index.js';
import {
  type testModeMutators,
  testModeOptions,
  type testModeSchema,
  testModeServerMutators,
} from '../server/test-mode.js';

type Tx = Transaction<typeof testModeSchema>;
type Options = CreateSyncHandlerOptions<typeof testModeSchema, typeof testModeMutators.defs>;

/** Server-only mutators that pass caller-supplied objects on, to try keys such as `__proto__`. */
const objectMutators: MutatorDefs<typeof testModeSchema> = {
  /** Upserts the row as given (the schema check of the write decides), owned by the caller. */
  putRow: withArgs(
    [v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null)],
    (tx: Tx, row) => {
      row.owner = tx.userID;
      return tx.items.upsert(row as never);
    },
  ),
  /** Stores `JSON.stringify(value)` as an item's title, so any JSON can be read back verbatim. */
  putJSON: withArgs([v.string(), v.unknown()], (tx: Tx, id, value) =>
    tx.items.upsert({ id, owner: tx.userID!, title: JSON.stringify(value), n: 0 }),
  ),
};

export interface Server {
  readonly handler: SyncHandler;
  readonly db: SyncDatabase;
  /** The raw SQLite database under `db`, to inspect or sabotage it. */
  readonly sqlite: BetterSqlite3.Database;
  /** Every error `onError` received (answered 500 without details). */
  readonly internalErrors: unknown[];
}

export async function makeServer(extra: Partial<Options> = {}): Promise<Server> {
  const sqlite = new BetterSqlite3(':memory:');
  const db = sqliteDatabase(sqlite);
  const internalErrors: unknown[] = [];
  const handler = createSyncHandler<typeof testModeSchema, typeof testModeMutators.defs>({
    ...testModeOptions(),
    serverMutators: { ...testModeServerMutators, ...objectMutators },
    database: db,
    onError: (e) => internalErrors.push(e),
    ...extra,
  });
  await handler.prepare();
  return { handler, db, sqlite, internalErrors };
}

/** An answer of the handler: status, headers, and the body as text and parsed. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: any;
  /** The request body as text (for the sweep: an answer may echo what was sent, which is no leak). */
  readonly sent: string;
}

/** Every answer of the file's tests, for the sweep at its end (`noLeakSweep`). */
export const answers: Answer[] = [];

export interface SendInit {
  /** `Bearer <user>`; `null` sends no Authorization header. Default `user-a`. */
  readonly user?: string | null;
  readonly headers?: Record<string, string>;
}

/** POSTs `body` (JSON-encoded unless it is a string or bytes) to `…/sync/<path>`. */
export async function send(
  server: Server,
  path: string,
  body: unknown,
  init: SendInit = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.user !== null) headers.authorization = `Bearer ${init.user ?? 'user-a'}`;
  const payload =
    typeof body === 'string' || body instanceof Uint8Array
      ? (body as string | Uint8Array<ArrayBuffer>)
      : JSON.stringify(body);
  const response = await server.handler(
    new Request(`http://test/sync/${path}`, { method: 'POST', headers, body: payload }),
  );
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const sent = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  const answer: Answer = { status: response.status, headers: response.headers, text, body: parsed, sent };
  answers.push(answer);
  return answer;
}

export interface Mutation {
  readonly id: number;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly timestamp?: number;
}

export const pushBody = (
  group: string,
  client: string,
  mutations: readonly Mutation[],
  over: Record<string, unknown> = {},
) => ({
  protocolVersion: 1,
  schemaVersion: 1,
  clientGroupID: group,
  clientID: client,
  mutations: mutations.map((m) => ({ timestamp: 1767225600000, ...m })),
  ...over,
});

export const pullBody = (
  group: string,
  resources: readonly { path: string; cursor: string | null }[],
  over: Record<string, unknown> = {},
) => ({
  protocolVersion: 1,
  schemaVersion: 1,
  clientGroupID: group,
  clientID: 'puller',
  resources,
  ...over,
});

/** Mutations `first`, `first + 1`, … of the given calls (`[name, ...args]`). */
export const mutations = (first: number, calls: readonly (readonly [string, ...unknown[]])[]): Mutation[] =>
  calls.map(([name, ...args], i) => ({ id: first + i, name, args }));

/** Expects an error answer of PROTOCOL.md §8: the status, and exactly these fields of `error`. */
export function expectError(answer: Answer, status: number, error: Record<string, unknown>): void {
  expect({ status: answer.status, error: answer.body?.error }).toEqual({
    status,
    error: { message: expect.any(String), ...error },
  });
  expect(answer.body.error.message.length).toBeGreaterThan(0);
}

/**
 * Every row of every table, the server's own included (client groups, clients with their
 * `last_mutation_id` and activity time; not the version counter): equal dumps before and after a
 * request mean it wrote nothing. `activity: false` leaves out the clients' activity time.
 */
export function dump(server: Server, opts: { activity?: boolean } = {}): Record<string, unknown[]> {
  const tables = server.sqlite
    .prepare("select name from sqlite_master where type = 'table' order by name")
    .all() as { name: string }[];
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    // The version counter is no data: a version taken and left unused is harmless (docs/server.md),
    // and SQLite's group commit takes one per transaction, refused pushes included.
    if (name === 'sssync_version') continue;
    const rows = server.sqlite.prepare(`select * from "${name}" order by rowid`).all() as Record<
      string,
      unknown
    >[];
    // A push by a client's own group counts as activity even when it is refused (docs/server.md).
    out[name] = opts.activity === false ? rows.map((r) => ({ ...r, updated_at: undefined })) : rows;
  }
  return out;
}

/** Sets every client's activity time to 0, so that a request that touches it shows in a dump. */
export function zeroActivity(server: Server): void {
  server.sqlite.prepare('update sssync_clients set updated_at = 0').run();
}

/** The live items as the app sees them (tombstones left out), by id. */
export function items(server: Server): { id: string; owner: string; title: string; n: number }[] {
  return server.sqlite
    .prepare('select id, owner, title, n from items where _sssync_deleted = 0 order by id')
    .all() as never;
}

let counter = 0;
/** A fresh id for a client, a group or an item (valid per PROTOCOL.md §4.1). */
export const fresh = (prefix: string): string => `${prefix}-${(++counter).toString(36)}`;

/** What an error body must never hold (PROTOCOL.md §8): stack frames, file paths, SQL, driver text. */
export const LEAKS: readonly RegExp[] = [
  /\bat [\w$.<>]+ \(/, // a V8 stack frame: "at fn (file:1:2)"
  /\n\s+at /,
  /file:\/\/|\/work\/|node_modules|\.ts:\d+|\.js:\d+/i,
  /\b(select|insert into|update \w+ set|delete from|drop table|create table|sqlite_\w+|SQLITE_[A-Z]+)\b/i,
  /\b(no such (table|column)|syntax error|constraint failed|SqliteError|TypeError|ReferenceError)\b/i,
  /_sssync_|sssync_(clients|client_groups|version|meta)\b/,
];

/**
 * The leaks found in the error answers logged so far. A 200 may carry SQL-looking data verbatim, and
 * an error may quote what its request sent (a path, a mutator name): only text the request did not
 * hold counts.
 */
export function leaksIn(log: readonly Answer[]): string[] {
  const found: string[] = [];
  for (const a of log) {
    if (a.status === 200) continue;
    for (const pattern of LEAKS) {
      const global = new RegExp(pattern.source, `${pattern.flags}g`);
      for (const [match] of a.text.matchAll(global)) {
        if (!a.sent.includes(match)) found.push(`${a.status} ${pattern} "${match}": ${a.text.slice(0, 300)}`);
      }
    }
  }
  return found;
}

/**
 * Registers the file's last test: no error body of any test before it holds a stack trace, a file
 * path or SQL. (Vitest runs a file's tests in order, so it sees every answer of the file.)
 */
export function noLeakSweep(minimumErrors: number): void {
  it('sweep: no error body of this file holds a stack trace, a file path or SQL', () => {
    const errors = answers.filter((a) => a.status !== 200);
    expect(errors.length).toBeGreaterThanOrEqual(minimumErrors);
    for (const a of errors) expect(a.headers.get('content-type')).toBe('application/json');
    expect(leaksIn(answers)).toEqual([]);
  });
}
