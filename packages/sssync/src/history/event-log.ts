import type { MutatorDefs } from '../mutation/mutators.js';
import { findMutator, validateArgs } from '../mutation/mutators.js';
import type { Schema } from '../schema/schema.js';
import type { RowRecord } from '../schema/validate-row.js';
import { SSSyncError } from '../util/errors.js';

export interface LogEntry {
  readonly name: string;
  readonly args: readonly unknown[];
  /** Client clock when the mutation first ran, ms since the epoch (informational). */
  readonly timestamp: number;
}

/** `sssync.exportLog()`: readable JSON a user keeps, and `importLog` replays into any client. */
export interface SSSyncLog {
  readonly format: 'sssync-log';
  readonly version: 1;
  readonly schemaVersion: number;
  readonly exportedAt: string;
  /** Oldest first. */
  readonly mutations: readonly LogEntry[];
  /** Every row at export time, if asked for (`exportLog({ data: true })`); for reading, not replayed. */
  readonly data?: Readonly<Record<string, readonly RowRecord[]>>;
}

/**
 * This instance's mutations, oldest first: the outbox it found at start (written by earlier sessions,
 * not yet synced) and every local mutation stored since. Memory only and bounded (`limit` entries,
 * oldest dropped); mutations the server rejected leave it (they had no effect).
 */
export class MutationLog {
  private entries: Item[] = [];
  /** The entries not settled yet, by id (a settle per confirmed mutation must not scan the log). */
  private byID = new Map<number, Item[]>();

  constructor(private readonly limit = 10_000) {}

  /** Seeds the log with the outbox found at start (entries already recorded are kept once). */
  seed(outbox: readonly ({ id: number } & LogEntry)[]): void {
    const known = new Set(this.entries.map((e) => e.id));
    const older = outbox.filter((e) => !known.has(e.id));
    this.entries = [...older.map((e) => ({ id: e.id, entry: copy(e) })), ...this.entries];
    this.reindex();
    this.trim();
  }

  record(id: number, entry: LogEntry): void {
    const item = { id, entry: copy(entry) };
    this.entries.push(item);
    this.index(item);
    this.trim();
  }

  /** A rejected mutation had no effect: it leaves the log. */
  remove(id: number): void {
    if (!this.byID.has(id)) return;
    this.entries = this.entries.filter((e) => e.id !== id);
    this.byID.delete(id);
  }

  /** The server applied it: its id is no longer this log's business (a new client id reuses ids). */
  settle(id: number): void {
    for (const e of this.byID.get(id) ?? []) e.id = SETTLED;
    this.byID.delete(id);
  }

  renumber(map: ReadonlyMap<number, number>): void {
    for (const e of this.entries) if (e.id !== SETTLED) e.id = map.get(e.id) ?? e.id;
    this.reindex();
  }

  get mutations(): LogEntry[] {
    return this.entries.map((e) => e.entry);
  }

  private index(item: Item): void {
    if (item.id === SETTLED) return;
    const same = this.byID.get(item.id);
    if (same) same.push(item);
    else this.byID.set(item.id, [item]);
  }

  private reindex(): void {
    this.byID.clear();
    for (const e of this.entries) this.index(e);
  }

  private trim(): void {
    if (this.entries.length <= this.limit) return;
    for (const e of this.entries.splice(0, this.entries.length - this.limit)) {
      const same = this.byID.get(e.id)?.filter((x) => x !== e);
      if (same?.length) this.byID.set(e.id, same);
      else this.byID.delete(e.id);
    }
  }
}

interface Item {
  id: number;
  readonly entry: LogEntry;
}

/** The id of an entry the server applied. */
const SETTLED = -1;

function copy(e: LogEntry): LogEntry {
  return { name: e.name, args: structuredClone(e.args), timestamp: e.timestamp };
}

/**
 * Checks a whole log before anything is applied: its format, its schema version (not newer than the
 * app's), and every entry — an unknown mutator name is `UNKNOWN_MUTATOR`, bad arguments
 * `INVALID_ARGUMENT` — with `details.index` naming the entry. Returns the entries to replay.
 */
export async function parseLog<S extends Schema>(
  json: unknown,
  defs: MutatorDefs<S>,
  schemaVersion: number,
): Promise<LogEntry[]> {
  const log = typeof json === 'string' ? parseJson(json) : json;
  const bad = (why: string, details: Record<string, unknown> = {}): never => {
    throw new SSSyncError('INVALID_ARGUMENT', `importLog: ${why}.`, { details });
  };
  if (typeof log !== 'object' || log === null) return bad('the log must be an object');
  const l = log as Record<string, unknown>;
  if (l.format !== 'sssync-log') bad('this is not an SSSync log (format must be "sssync-log")');
  if (l.version !== 1) bad(`log format version ${String(l.version)} is not supported (only 1)`);
  if (typeof l.schemaVersion !== 'number' || l.schemaVersion > schemaVersion) {
    bad(
      `the log was written by schema version ${String(l.schemaVersion)}, newer than this app's ${schemaVersion}; update the app first`,
    );
  }
  if (!Array.isArray(l.mutations)) return bad('mutations must be an array');
  const out: LogEntry[] = [];
  for (const [index, m] of (l.mutations as unknown[]).entries()) {
    if (typeof m !== 'object' || m === null) return bad(`mutation ${index} is not an object`, { index });
    const { name, args, timestamp } = m as Record<string, unknown>;
    if (typeof name !== 'string') return bad(`mutation ${index} has no name`, { index });
    if (!Array.isArray(args)) return bad(`mutation ${index} (${name}): args must be an array`, { index });
    let def: ReturnType<typeof findMutator<S>>;
    try {
      def = findMutator(defs, name);
    } catch {
      throw new SSSyncError(
        'UNKNOWN_MUTATOR',
        `importLog: mutation ${index} is "${name}", which this app does not have. Nothing was imported: add the mutator (or remove the entry) and import again.`,
        { details: { index, name } },
      );
    }
    try {
      await validateArgs(name, def, args);
    } catch (e) {
      const err = e as SSSyncError;
      throw new SSSyncError(
        err.code ?? 'INVALID_ARGUMENT',
        `importLog: mutation ${index}: ${err.message} Nothing was imported.`,
        {
          cause: e,
          details: { ...err.details, index },
        },
      );
    }
    out.push({ name, args, timestamp: typeof timestamp === 'number' ? timestamp : Date.now() });
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SSSyncError('INVALID_ARGUMENT', 'importLog: the text is not JSON.', { cause: e });
  }
}
