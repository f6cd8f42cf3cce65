/**
 * Push and pull where the database has no interactive transactions, only atomic batches (Cloudflare
 * D1): optimistic concurrency. A push reads (outside any transaction) the version counter, its
 * client's `last_mutation_id` and whatever its mutators read; its writes go to a `WriteSet`; then one
 * batch commits everything, led by a guard statement that fails the whole batch unless the version
 * counter and `last_mutation_id` still hold the values read. Every write to the data advances the
 * version counter, so an unchanged counter means nothing the push read has changed: the push is
 * serializable, its writes and its `last_mutation_id` commit together or not at all (exactly once),
 * and versions commit in order, one batch each (gapless cursors). A failed guard is a write
 * conflict: nothing was applied and the push runs again from its reads. A pull checks the counter
 * after its reads the same way. Within one process, pushes and pulls of one database take a
 * readers-writer lock, so they conflict only with other processes (other Worker isolates).
 */
import { sql } from 'kysely';
import { autocommit, type SyncDatabase, type Tx, writeConflict } from './database.js';
import { META_TABLES, readVersion } from './sql-schema.js';
import { WriteSet } from './write-set.js';

/** The one-row table of the guard; its CHECK fails the batch whose expectations no longer hold. */
export const GUARD_TABLE = 'sssync_guard';
const GUARD_CONSTRAINT = 'sssync_conflict';

/** Creates the guard table (once; `if not exists`). */
export async function createGuardTable(tx: Tx): Promise<void> {
  await sql`create table if not exists ${sql.table(GUARD_TABLE)} (
    id integer primary key,
    ok integer not null constraint ${sql.id(GUARD_CONSTRAINT)} check (ok = 1)
  )`.execute(tx);
  await sql`insert into ${sql.table(GUARD_TABLE)} (id, ok) values (1, 1) on conflict (id) do nothing`.execute(
    tx,
  );
}

/** What the push's batch must find unchanged, and the client's new `last_mutation_id`. */
export interface BatchClient {
  readonly clientID: string;
  /** `last_mutation_id` as the push read it. */
  readonly read: number;
  /** `last_mutation_id` after the push. */
  readonly last: number;
}

export type BatchJob<T> = (
  tx: Tx,
  takeVersion: () => Promise<number>,
  writes: WriteSet,
) => Promise<{ readonly value: T; readonly client?: BatchClient | undefined }>;

/** Runs `job` with reads outside a transaction and commits its writes in one guarded batch. */
export async function inBatch<T>(db: SyncDatabase, job: BatchJob<T>): Promise<T> {
  const batch = db.batch!;
  return lockOf(db).write(async () => {
    const tx = autocommit(db);
    const base = await readVersion(tx);
    const writes = new WriteSet();
    let taken = false;
    const { value, client } = await job(
      tx,
      async () => {
        taken = true;
        return base + 1;
      },
      writes,
    );
    if (!client) return value;
    const statements = [
      sql`update ${sql.table(GUARD_TABLE)} set ok =
        (select count(*) from ${sql.table(META_TABLES.version)} where id = 1 and v = ${base}) *
        (select count(*) from ${sql.table(META_TABLES.clients)}
          where client_id = ${client.clientID} and last_mutation_id = ${client.read})
        where id = 1`.compile(db.kysely),
      ...writes.statements(db.kysely),
      db.kysely
        .updateTable(META_TABLES.clients)
        .set({ last_mutation_id: client.last, updated_at: Date.now() })
        .where('client_id', '=', client.clientID)
        .compile(),
    ];
    if (taken) {
      statements.push(
        db.kysely
          .updateTable(META_TABLES.version)
          .set({ v: base + 1 })
          .where('id', '=', 1)
          .compile(),
      );
    }
    try {
      await batch(statements);
    } catch (e) {
      throw isGuardFailure(e) ? writeConflict(e) : e;
    }
    return value;
  });
}

/**
 * Runs a pull's reads (`fn` gets the version it reads at) and fails with a write conflict if a push
 * committed meanwhile, as the reads may then mix two states.
 */
export function readInBatchDatabase<T>(db: SyncDatabase, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return lockOf(db).read(async () => {
    const tx = autocommit(db);
    const before = await readVersion(tx);
    const value = await fn(tx);
    if ((await readVersion(tx)) !== before) throw writeConflict();
    return value;
  });
}

function isGuardFailure(e: unknown): boolean {
  for (let x: unknown = e; x instanceof Error; x = x.cause) {
    if (x.message.includes(GUARD_CONSTRAINT)) return true;
  }
  return false;
}

/**
 * A readers-writer lock in which a waiting writer goes before readers that come after it. Waiters
 * poll on their own timers instead of waiting for a promise another request resolves: a Worker
 * cancels a request that waits only on another request's work, as one that has hung.
 */
class ReadWriteLock {
  private readers = 0;
  private writing = false;
  private writersWaiting = 0;

  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writing || this.writersWaiting > 0) await pause();
    this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    this.writersWaiting++;
    try {
      while (this.writing || this.readers > 0) await pause();
    } finally {
      this.writersWaiting--;
    }
    this.writing = true;
    try {
      return await fn();
    } finally {
      this.writing = false;
    }
  }
}

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 2));

const locks = new WeakMap<SyncDatabase, ReadWriteLock>();

function lockOf(db: SyncDatabase): ReadWriteLock {
  let lock = locks.get(db);
  if (!lock) {
    lock = new ReadWriteLock();
    locks.set(db, lock);
  }
  return lock;
}
