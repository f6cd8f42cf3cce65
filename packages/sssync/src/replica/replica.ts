import type { MutatorDefs } from '../mutation/mutators.js';
import { runMutation } from '../mutation/run-mutation.js';
import type { Change, Database, RowId } from '../query/database.js';
import { LiveSet } from '../query/live-set.js';
import type { Row } from '../query/predicate.js';
import type { Schema } from '../schema/schema.js';
import { checkStoredRow } from '../schema/validate-row.js';
import type { PageMap, RowChange } from '../store/page-map.js';
import type { OutboxEntry, Store, StoreBatch } from '../store/store.js';
import { errorMessage, SSSyncError } from '../util/errors.js';
import { __faults } from '../util/test-faults.js';
import { ChangeTracker } from './change-tracker.js';
import {
  absentPageId,
  MEMBERSHIP_TABLE,
  type Membership,
  membershipPageId,
  type RowKey,
  rowKey,
} from './membership.js';
import { META } from './meta.js';
import { type OpenedClient, openClient } from './open-store.js';
import { Serial } from './serial.js';

/** One op of a server patch (PROTOCOL.md "Pull"), as the replica applies it. */
export type PatchOp =
  | { readonly op: 'clear' }
  | { readonly op: 'put'; readonly table: string; readonly row: Readonly<Record<string, unknown>> }
  | { readonly op: 'del'; readonly table: string; readonly id: string | number };

export interface ServerUpdate {
  readonly resources?: readonly { path: string; temporary: boolean; patch: readonly PatchOp[] }[];
  /** Resources let go entirely (a temporary resource past its TTL): their rows lose this holder. */
  readonly released?: readonly { path: string; temporary: boolean }[];
  /** The server's last applied mutation id for this client: pending entries up to it are dropped. */
  readonly lastMutationID?: number;
  /** Pending entries to drop even though the server has not applied them (rejected, or poison). */
  readonly drop?: ReadonlySet<number>;
  /** Renumber the remaining entries from 1 under a new client id (the server lost our history). */
  readonly newClientID?: string;
  /** Renumber the entries after a dropped one that was never sent, so ids stay consecutive. */
  readonly closeGaps?: boolean;
  readonly meta?: ReadonlyMap<string, unknown>;
}

export interface UpdateResult {
  /** Entries that left the outbox because the server applied them. */
  readonly applied: readonly OutboxEntry[];
  readonly dropped: readonly OutboxEntry[];
  /** Old id → new id, when entries were renumbered. */
  readonly renumbered: ReadonlyMap<number, number>;
  readonly changes: readonly Change[];
}

/**
 * The client's local replica: the in-memory tables (confirmed state with the pending mutations applied
 * on top), the outbox, metadata and resource membership, and the store they are saved to. Every change
 * — a local mutation or a server update — is one store commit and then one notification.
 */
export class Replica<S extends Schema = Schema> {
  readonly db: Database;
  readonly live: LiveSet;
  outbox: OutboxEntry[];
  meta: Map<string, unknown>;
  private pages: PageMap;
  private membership: Membership;
  /** Held rows in no data page, each with a membership record of its own (`absentPageId`). */
  private absent: Set<RowKey>;
  private readonly name: string;
  /** A follower tab's replica: memory only, fed by the leader's broadcasts. */
  private readOnly: boolean;
  private readonly store: Store;
  private readonly defs: MutatorDefs<S>;
  private readonly writes = new Serial();
  /** Set while tables hold a half-done change (a mutator running, a rebase replaying). */
  private busy: Promise<unknown> | undefined;
  private remotePending = 0;
  /** Called after every commit with its changes and sequence number (for other tabs, devtools). */
  onCommit: ((changes: readonly Change[], seq: number) => void) | undefined;

  private constructor(
    store: Store,
    name: string,
    defs: MutatorDefs<S>,
    opened: OpenedClient,
    readOnly: boolean,
  ) {
    this.store = store;
    this.name = name;
    this.readOnly = readOnly;
    this.defs = defs;
    this.db = opened.db;
    this.pages = opened.pages;
    this.outbox = opened.outbox;
    this.meta = opened.meta;
    this.membership = opened.membership;
    this.absent = opened.absent;
    this.live = new LiveSet(this.db);
  }

  static async open<S extends Schema>(
    store: Store,
    name: string,
    schema: S,
    defs: MutatorDefs<S>,
    opts: { readOnly?: boolean } = {},
  ): Promise<Replica<S>> {
    const readOnly = opts.readOnly ?? false;
    return new Replica(store, name, defs, await openClient(store, name, schema, { readOnly }), readOnly);
  }

  get seq(): number {
    return (this.meta.get(META.commitSeq) as number | undefined) ?? 0;
  }

  /** The mutation a forwarded request became, if this store already ran it. */
  requestResult(requestID: string): number | undefined {
    const recent = (this.meta.get(META.requests) as [string, number][] | undefined) ?? [];
    return recent.find(([r]) => r === requestID)?.[1];
  }

  /**
   * A follower tab applies the leader's commit: rows only (the leader wrote the store). Commits it
   * already has (seq not above its own) are skipped, so a broadcast racing the initial load is harmless.
   */
  applyRemote(
    seq: number,
    rows: readonly { table: string; id: RowId; after: Row | null }[],
    pending: number,
  ): void {
    if (seq <= this.seq) return;
    const changes: Change[] = [];
    for (const { table, id, after } of rows) {
      if (!Object.hasOwn(this.db.schema.tables, table)) continue;
      const before = this.db.apply(table, id, after);
      if (before !== after) changes.push({ table, id, before, after });
    }
    this.meta.set(META.commitSeq, seq);
    this.remotePending = pending;
    this.publish(changes);
  }

  /** Pending mutations: the outbox, or for a follower tab the leader's count. */
  get pendingCount(): number {
    return this.readOnly ? this.remotePending : this.outbox.length;
  }

  get isReadOnly(): boolean {
    return this.readOnly;
  }

  /** A follower becoming the leader: reload everything from the store, then tell every live query. */
  async promote(schema: S): Promise<void> {
    const opened = await openClient(this.store, this.name, schema);
    const changes: Change[] = [];
    for (const t of opened.db.tableNames()) {
      const fresh = opened.db.table(t).rows;
      const mine = this.db.table(t);
      for (const [id, row] of fresh) {
        const before = mine.get(id) ?? null;
        if (!before || JSON.stringify(before) !== JSON.stringify(row)) {
          mine.put(row);
          changes.push({ table: t, id, before, after: row });
        }
      }
      for (const [id, row] of [...mine.rows]) {
        if (!fresh.has(id)) {
          mine.delete(id);
          changes.push({ table: t, id, before: row, after: null });
        }
      }
    }
    this.pages = opened.pages;
    this.membership = opened.membership;
    this.absent = opened.absent;
    this.outbox = opened.outbox;
    this.meta = opened.meta;
    this.readOnly = false;
    this.publish(changes);
  }

  get clientID(): string {
    return this.meta.get(META.clientID) as string;
  }

  get clientGroupID(): string {
    return this.meta.get(META.clientGroupID) as string;
  }

  /**
   * Runs `read` once no change is half-applied, in the same turn as that check: a caller that awaited
   * "settled" and then read could see a rebase that started in between (undone, not yet replayed).
   */
  async read<T>(read: () => T): Promise<T> {
    while (this.busy) await this.busy.catch(() => {});
    return read();
  }

  idle(): Promise<void> {
    return this.writes.idle();
  }

  /**
   * Runs a mutator, saves its rows and outbox entry in one commit, then notifies. `onApplied` hears the
   * mutation's net row changes (before and after images) once stored, before any later write runs:
   * undo history needs the "after" images, which the outbox entry does not keep.
   */
  mutate(
    name: string,
    args: readonly unknown[],
    requestID?: string,
    onApplied?: (changes: readonly Change[], entry: OutboxEntry) => void,
  ): Promise<OutboxEntry> {
    return this.writes.run(async () => {
      if (this.readOnly) throw new SSSyncError('STORE_CLOSED', 'Only the leading tab writes the store.');
      const id = this.meta.get(META.nextMutationID) as number;
      const run = runMutation(this.db, this.defs, name, args, {
        clientID: this.clientID,
        mutationID: id,
        reason: 'initial',
      });
      const log = await this.hold(run);
      const changes = log.changes(this.db);
      const entry: OutboxEntry = {
        id,
        name,
        args: structuredClone(args),
        timestamp: Date.now(),
        undo: log.undo,
      };
      // Live queries hear of the write at once (no spinner waits on the disk); the returned promise
      // still resolves only once the store has it. If the store refuses it, the write is taken back.
      this.live.notify(changes);
      try {
        const meta = new Map<string, unknown>([[META.nextMutationID, id + 1]]);
        if (requestID !== undefined) {
          const recent = (this.meta.get(META.requests) as [string, number][] | undefined) ?? [];
          meta.set(META.requests, [...recent.slice(-99), [requestID, id]]);
        }
        await this.commit(changes, [], { putOutbox: [entry], putMeta: meta });
        for (const [k, v] of meta) if (k !== META.nextMutationID) this.meta.set(k, v);
      } catch (e) {
        log.rollback(this.db);
        this.live.notify(changes.map((c) => ({ ...c, before: c.after, after: c.before })));
        throw e;
      }
      this.meta.set(META.nextMutationID, id + 1);
      this.outbox.push(entry);
      this.onCommit?.(changes, this.seq);
      onApplied?.(changes, entry);
      return entry;
    });
  }

  /**
   * Applies server state under the pending mutations (rebase): undo every pending mutation, apply the
   * patches, drop what the server applied (or what must go), replay the rest — then save it all in one
   * commit and notify once, so no subscriber ever sees the intermediate states.
   */
  applyServer(update: ServerUpdate): Promise<UpdateResult> {
    return this.writes.run(async () => {
      if (this.readOnly) throw new SSSyncError('STORE_CLOSED', 'Only the leading tab writes the store.');
      const rows = this.checkPatches(update);
      const tracker = new ChangeTracker(this.db, this.membership);
      const work = this.rebase(update, tracker, rows);
      let result: {
        batch: StoreBatch;
        result: UpdateResult;
        outbox: OutboxEntry[];
        meta: Map<string, unknown>;
      };
      try {
        result = await this.hold(work);
      } catch (e) {
        tracker.revert();
        throw e;
      }
      const changes = tracker.changes();
      try {
        await this.commit(changes, tracker.membershipRows(), result.batch);
      } catch (e) {
        tracker.revert();
        throw e;
      }
      this.outbox.splice(0, this.outbox.length, ...result.outbox);
      for (const [k, v] of result.meta) this.meta.set(k, v);
      this.publish(changes);
      return { ...result.result, changes };
    });
  }

  async close(): Promise<void> {
    await this.writes.idle();
    await this.store.close();
  }

  private applyPatches(update: ServerUpdate, tracker: ChangeTracker, rows: WeakMap<PatchOp, Row>): void {
    for (const { path, temporary, patch } of update.resources ?? []) {
      for (const op of patch) {
        if (op.op === 'clear') {
          for (const key of this.membership.keysOf(path, temporary))
            this.letGo(tracker, key, path, temporary);
        } else if (op.op === 'put') {
          const id = op.row.id as RowId;
          const key = tracker.touch(op.table, id);
          tracker.touchMembership(key, op.table, id);
          this.membership.add(key, path, temporary);
          tracker.set(op.table, id, rows.get(op)!);
        } else {
          this.letGo(tracker, rowKey(op.table, op.id), path, temporary);
        }
      }
    }
  }

  private async rebase(update: ServerUpdate, tracker: ChangeTracker, rows: WeakMap<PatchOp, Row>) {
    for (let i = this.outbox.length - 1; i >= 0; i--) {
      const undo = this.outbox[i]!.undo;
      for (let j = undo.length - 1; j >= 0; j--)
        tracker.set(undo[j]!.table, undo[j]!.id as RowId, undo[j]!.before);
    }
    for (const r of update.released ?? []) {
      for (const key of this.membership.keysOf(r.path, r.temporary))
        this.letGo(tracker, key, r.path, r.temporary);
    }
    // The patch only writes rows (no query runs in it): indexes catch up once, after it.
    this.db.bulk(() => this.applyPatches(update, tracker, rows));
    const last = update.lastMutationID ?? 0;
    const applied = this.outbox.filter((e) => e.id <= last);
    const dropped = this.outbox.filter((e) => e.id > last && update.drop?.has(e.id));
    let remaining = this.outbox.filter((e) => e.id > last && !update.drop?.has(e.id));
    if (__faults.clientDropsOnRebase && remaining.length > 1) remaining = remaining.slice(0, -1);
    const renumbered = new Map<number, number>();
    const meta = new Map(update.meta ?? []);
    if (update.newClientID !== undefined || update.closeGaps) {
      // Only entries the server never received are renumbered: ids must stay consecutive per client.
      const from =
        update.newClientID !== undefined
          ? 1
          : (this.outbox.find((e) => e.id > last)?.id ?? (this.meta.get(META.nextMutationID) as number));
      remaining = remaining.map((e, i) => {
        if (from + i !== e.id) renumbered.set(e.id, from + i);
        return from + i === e.id ? e : { ...e, id: from + i };
      });
      meta.set(META.nextMutationID, from + remaining.length);
      if (update.newClientID !== undefined) meta.set(META.clientID, update.newClientID);
    }
    const clientID = (meta.get(META.clientID) as string | undefined) ?? this.clientID;
    const replayed: OutboxEntry[] = [];
    for (const entry of remaining) {
      try {
        const log = await runMutation(this.db, this.defs, entry.name, entry.args, {
          clientID,
          mutationID: entry.id,
          reason: 'rebase',
        });
        tracker.noteUndo(log.undo);
        replayed.push({ ...entry, undo: log.undo });
      } catch {
        // It failed on the new state (say, its row is gone): it stays queued with no local effect,
        // and the server, which has the last word, will apply or reject it.
        replayed.push({ ...entry, undo: [] });
      }
    }
    const kept = new Set(replayed.map((e) => e.id));
    const batch: StoreBatch = {
      putOutbox: replayed,
      deleteOutbox: this.outbox.map((e) => e.id).filter((id) => !kept.has(id)),
      putMeta: meta,
    };
    return {
      batch,
      outbox: replayed,
      meta,
      result: { applied, dropped, renumbered, changes: [] as Change[] },
    };
  }

  /** A resource lets go of a row; the row leaves when no resource holds it. */
  private letGo(tracker: ChangeTracker, key: RowKey, path: string, temporary: boolean): void {
    tracker.touchMembership(key);
    if (this.membership.remove(key, path, temporary)) {
      const [table, id] = JSON.parse(key) as [string, RowId];
      if (Object.hasOwn(this.db.schema.tables, table)) tracker.set(table, id, null);
    }
  }

  /**
   * Checks every op of a server update before anything is touched: a lying server changes nothing.
   * Returns each put's row in its stored form, so rows are checked once.
   */
  private checkPatches(update: ServerUpdate): WeakMap<PatchOp, Row> {
    const tables = this.db.schema.tables;
    const rows = new WeakMap<PatchOp, Row>();
    for (const { path, patch } of update.resources ?? []) {
      patch.forEach((op, i) => {
        const where = `resource "${path}", patch[${i}]`;
        if (op.op === 'clear') return;
        if (!Object.hasOwn(tables, op.table)) {
          throw new SSSyncError(
            'PROTOCOL',
            `The server sent a row of unknown table "${op.table}" (${where}).`,
            {
              details: { path, index: i },
            },
          );
        }
        if (op.op === 'put') {
          try {
            rows.set(op, checkStoredRow(op.table, tables[op.table]!, op.row));
          } catch (e) {
            throw new SSSyncError(
              'PROTOCOL',
              `The server sent an invalid row (${where}): ${errorMessage(e)}`,
              {
                cause: e,
                details: { path, index: i },
              },
            );
          }
        }
      });
    }
    return rows;
  }

  private async hold<T>(work: Promise<T>): Promise<T> {
    this.busy = work;
    try {
      return await work;
    } finally {
      this.busy = undefined;
    }
  }

  /** Saves the rows of `changes` (and membership records) with `extra`, in one store commit. */
  private async commit(
    changes: readonly Change[],
    memberKeys: readonly { key: RowKey; table: string; id: RowId }[],
    extra: StoreBatch,
  ): Promise<void> {
    const rowChanges: RowChange[] = changes.map((c) => {
      const keep = c.after && !this.membership.isTemporaryOnlyRow(c.table, c.id);
      return { table: c.table, id: c.id, after: keep ? c.after : null };
    });
    // A row whose holders changed has its page rewritten: membership is stored beside each data page.
    const memberRows: { table: string; id: RowId }[] = [];
    for (const { key, table, id } of memberKeys) {
      if (!Object.hasOwn(this.db.schema.tables, table)) continue;
      const row = this.membership.isTemporaryOnly(key) ? null : (this.db.table(table).get(id) ?? null);
      rowChanges.push({ table, id, after: row });
      memberRows.push({ table, id });
    }
    const plan = this.pages.plan(rowChanges, (t, id) =>
      this.membership.isTemporaryOnlyRow(t, id) ? undefined : this.db.table(t).get(id),
    );
    // A page's membership record changes only if its rows moved (added, removed) or a holder changed:
    // a write that only changes a row's values leaves it as it is (no 256-row pass per write).
    const memberPages = new Set<string>();
    for (const { table, id } of memberRows) {
      const pageId = plan.pageOf(table, id);
      if (pageId !== undefined) memberPages.add(pageId);
    }
    const putPages = new Map(plan.putPages);
    const deletePages = [...plan.deletePages];
    for (const [pageId, page] of plan.putPages) {
      if (!plan.reshaped.has(pageId) && !memberPages.has(pageId)) continue;
      const record = this.membership.pageRecord(pageId, page);
      if (record) putPages.set(membershipPageId(pageId), { table: MEMBERSHIP_TABLE, rows: [record] });
      else deletePages.push(membershipPageId(pageId));
    }
    for (const pageId of plan.deletePages) deletePages.push(membershipPageId(pageId));
    // Absent-row records (a row held but gone): per row key, the last change decides. A row that is
    // there needs an entry only to delete an earlier record (a bulk load of present rows builds none).
    const absent = new Map<RowKey, readonly string[] | undefined>();
    for (const c of rowChanges) {
      if (c.after && absent.size === 0 && this.absent.size === 0) continue;
      const key = rowKey(c.table, c.id);
      if (c.after) {
        if (absent.has(key) || this.absent.has(key)) absent.set(key, undefined);
        continue;
      }
      const held = this.membership.snapshot(key)?.persisted;
      absent.set(key, held && held.length > 0 ? held : undefined);
    }
    for (const [key, held] of absent) {
      if (held) {
        const record = { id: key, paths: [...held] };
        putPages.set(absentPageId(key), { table: MEMBERSHIP_TABLE, rows: [record as never] });
      } else if (this.absent.has(key)) deletePages.push(absentPageId(key));
    }
    const seq = this.seq + 1;
    const putMeta = new Map(extra.putMeta ?? []);
    putMeta.set(META.commitSeq, seq);
    try {
      await this.store.commit({ ...extra, putMeta, putPages, deletePages });
    } catch (e) {
      throw e instanceof SSSyncError
        ? e
        : new SSSyncError(
            'STORE_WRITE_FAILED',
            `Saving to the local store failed: ${errorMessage(e)}. Nothing was changed.`,
            {
              cause: e,
            },
          );
    }
    plan.apply();
    for (const [key, held] of absent) {
      if (held) this.absent.add(key);
      else this.absent.delete(key);
    }
    this.meta.set(META.commitSeq, seq);
  }

  private publish(changes: readonly Change[]): void {
    this.live.notify(changes);
    this.onCommit?.(changes, this.seq);
  }
}
