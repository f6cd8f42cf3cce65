/**
 * Group commit for SQLite: one connection, and a commit in WAL mode with `synchronous = FULL` waits
 * for the disk, blocking the process (better-sqlite3 is synchronous). So pushes that arrive while a
 * write transaction runs are queued and then run together in the next one, each under its own
 * savepoint, and answered after its one commit — every answer still follows a durable commit.
 *
 * Per push nothing changes (PROTOCOL.md §5.2): its writes and its `last_mutation_id` commit together,
 * or not at all. A push that fails for a reason of its own is rolled back to its savepoint and only
 * its request fails; a busy database retries the whole group (each push reads `last_mutation_id`
 * again, so nothing runs twice). The group's version is taken first, outside every savepoint, so no
 * savepoint rollback can undo it while rows stamped with it commit.
 */
import { sql } from 'kysely';
import { type SyncDatabase, type Tx, withRetries, writeTransaction } from './database.js';

/** A push's work in the group's transaction; `version()` is the group's (taken once, up front). */
export type GroupJob<T> = (tx: Tx, version: () => Promise<number>) => Promise<T>;

interface Queued {
  readonly job: GroupJob<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Pushes per transaction, so that one transaction (and the answers waiting on it) stays short. */
const MAX_GROUP = 64;

const committers = new WeakMap<SyncDatabase, (job: GroupJob<unknown>) => Promise<unknown>>();

/** Runs `job` in a write transaction shared with the pushes queued beside it (SQLite only). */
export function inGroupCommit<T>(
  db: SyncDatabase,
  nextVersion: (tx: Tx) => Promise<number>,
  job: GroupJob<T>,
): Promise<T> {
  let submit = committers.get(db);
  if (!submit) {
    submit = committer(db, nextVersion);
    committers.set(db, submit);
  }
  return submit(job as GroupJob<unknown>) as Promise<T>;
}

function committer(db: SyncDatabase, nextVersion: (tx: Tx) => Promise<number>) {
  const queue: Queued[] = [];
  let running = false;

  const runGroup = async (group: readonly Queued[]): Promise<void> => {
    let settled: ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
    try {
      settled = await withRetries(db, () =>
        writeTransaction(db, async (tx) => {
          const version = await nextVersion(tx);
          const taken = () => Promise.resolve(version);
          const out: typeof settled = [];
          for (const { job } of group) {
            await sql`savepoint sssync_push`.execute(tx);
            try {
              const value = await job(tx, taken);
              await sql`release savepoint sssync_push`.execute(tx);
              out.push({ ok: true, value });
            } catch (error) {
              if (db.isRetryable(error)) throw error;
              await sql`rollback to savepoint sssync_push`.execute(tx);
              await sql`release savepoint sssync_push`.execute(tx);
              out.push({ ok: false, error });
            }
          }
          return out;
        }),
      );
    } catch (error) {
      for (const q of group) q.reject(error);
      return;
    }
    group.forEach((q, i) => {
      const r = settled[i]!;
      if (r.ok) q.resolve(r.value);
      else q.reject(r.error);
    });
  };

  // A group starts after the current microtasks, so pushes submitted together join it, and pushes
  // that arrive while a group runs form the next one. It must not wait for a later turn of the event
  // loop (setImmediate): callers that only ever await promises (an in-process client pulling in a
  // loop) would then starve it forever.
  const nextTurn = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));
  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queue.length > 0) {
        await nextTurn();
        await runGroup(queue.splice(0, MAX_GROUP));
      }
    } finally {
      running = false;
    }
  };

  return (job: GroupJob<unknown>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      queue.push({ job, resolve, reject });
      if (!running) void drain();
    });
}
