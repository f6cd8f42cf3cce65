/**
 * Group commit for SQLite: one connection, and a commit in WAL mode with `synchronous = FULL` waits
 * for the disk, blocking the process (better-sqlite3 is synchronous). So the pushes that arrive
 * together (read from their sockets in one turn of the event loop, or submitted together) are queued
 * and run in one transaction, each under its own savepoint, and answered after its one commit —
 * every answer still follows a durable commit.
 *
 * Per push nothing changes (PROTOCOL.md §5.2): its writes and its `last_mutation_id` commit together,
 * or not at all. A push that fails for a reason of its own is rolled back to its savepoint and only
 * its request fails; a busy database retries the whole group (each push reads `last_mutation_id`
 * again, so nothing runs twice). The group's version is taken first, outside every savepoint, so no
 * savepoint rollback can undo it while rows stamped with it commit.
 */
import { type SyncDatabase, type Tx, withRetries, writeTransaction } from './database.js';
import { fixed } from './prepared.js';

/** A push's work in the group's transaction; `version()` is the group's (taken once, up front). */
export type GroupJob<T> = (tx: Tx, version: () => Promise<number>) => Promise<T>;

interface Queued {
  readonly job: GroupJob<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

const savepoint = fixed('savepoint sssync_push');
const release = fixed('release savepoint sssync_push');
const rollback = fixed('rollback to savepoint sssync_push');

/** Pushes per transaction, so that one transaction (and the answers waiting on it) stays short. */
const MAX_GROUP = 64;

interface Committer {
  submit(job: GroupJob<unknown>): Promise<unknown>;
  /** Starts the waiting group now instead of at its turn. */
  hurry(): void;
}

const committers = new WeakMap<SyncDatabase, Committer>();

/** Runs `job` in a write transaction shared with the pushes queued beside it (SQLite only). */
export function inGroupCommit<T>(
  db: SyncDatabase,
  nextVersion: (tx: Tx) => Promise<number>,
  job: GroupJob<T>,
): Promise<T> {
  let c = committers.get(db);
  if (!c) {
    c = committer(db, nextVersion);
    committers.set(db, c);
  }
  return c.submit(job as GroupJob<unknown>) as Promise<T>;
}

/**
 * Starts the group that waits for its turn now: a pull calls it before it reads, so that it sees the
 * pushes submitted before it and an in-process caller that only awaits promises (a client pulling in
 * a loop while others push) cannot keep the group from starting.
 */
export function hurryGroupCommit(db: SyncDatabase): void {
  committers.get(db)?.hurry();
}

function committer(db: SyncDatabase, nextVersion: (tx: Tx) => Promise<number>): Committer {
  const queue: Queued[] = [];
  let running = false;
  let wake: (() => void) | undefined;

  const runGroup = async (group: readonly Queued[]): Promise<void> => {
    let settled: ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
    try {
      settled = await withRetries(db, () =>
        writeTransaction(db, async (tx) => {
          const version = await nextVersion(tx);
          const taken = () => Promise.resolve(version);
          const out: typeof settled = [];
          for (const { job } of group) {
            await savepoint(tx);
            try {
              const value = await job(tx, taken);
              await release(tx);
              out.push({ ok: true, value });
            } catch (error) {
              if (db.isRetryable(error)) throw error;
              await rollback(tx);
              await release(tx);
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

  // A group starts on the next turn of the event loop (setImmediate runs after the poll phase), so the
  // requests read from their sockets in this turn join it: each request is handled up to here within
  // its own socket's callback, and a group that started after the current microtasks would hold only
  // the first (a transaction runs without waiting on I/O). A pull starts the group sooner (`hurry`).
  const nextTurn = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      if (typeof setImmediate === 'function') setImmediate(resolve);
      else setTimeout(resolve, 0);
    });
  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queue.length > 0) {
        await nextTurn();
        wake = undefined;
        await runGroup(queue.splice(0, MAX_GROUP));
      }
    } finally {
      running = false;
    }
  };

  return {
    submit: (job) =>
      new Promise((resolve, reject) => {
        queue.push({ job, resolve, reject });
        if (!running) void drain();
      }),
    hurry: () => wake?.(),
  };
}
