import type { RestoreItem } from '../mutation/restore.js';
import { sameValue } from '../mutation/restore.js';
import type { Change } from '../query/database.js';

export interface RowRef {
  readonly table: string;
  readonly id: string | number;
}

/** What `undo()` / `redo()` did: rows put back, and rows left alone because someone changed them since. */
export interface UndoResult {
  readonly undone: number;
  readonly skipped: readonly RowRef[];
}

/** One undoable step: the row changes of one mutation, or of every mutation of a `batch`. */
export interface Step {
  readonly changes: Change[];
  /** The step's mutations still applying; undo waits for them. */
  readonly applying: Promise<unknown>[];
}

/**
 * The undo and redo stacks of one client instance (memory only). Steps are pushed when a mutation
 * starts, so their order is the order of the calls, and filled with its changes once it is stored.
 */
export class UndoHistory {
  private readonly undoStack: Step[] = [];
  private readonly redoStack: Step[] = [];
  private group: Step | undefined;
  private depth = 0;

  constructor(private readonly limit = 100) {}

  get canUndo(): boolean {
    return this.undoStack.some((s) => s.changes.length > 0 || s.applying.length > 0);
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** The step a new local mutation belongs to: the open batch, or a new step (which clears redo). */
  stepForMutation(): Step {
    if (this.group) return this.group;
    const step = newStep();
    this.push(this.undoStack, step);
    this.redoStack.length = 0;
    return step;
  }

  /** Opens a batch (nested batches join the outer one); returns the function that closes it. */
  openBatch(): () => void {
    if (this.depth++ === 0) {
      this.group = newStep();
      this.push(this.undoStack, this.group);
      this.redoStack.length = 0;
    }
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      if (--this.depth === 0) this.group = undefined;
    };
  }

  /** The most recent step with an effect, taken off the undo (or redo) stack. */
  async take(from: 'undo' | 'redo'): Promise<Step | undefined> {
    const stack = from === 'undo' ? this.undoStack : this.redoStack;
    for (;;) {
      const step = stack.pop();
      if (!step) return undefined;
      if (step === this.group) this.group = undefined;
      await Promise.allSettled(step.applying);
      if (step.changes.length > 0) return step;
    }
  }

  /** Pushes the step an undo (onto redo) or a redo (onto undo, keeping redo) produced. */
  pushResult(to: 'undo' | 'redo', step: Step): void {
    this.push(to === 'undo' ? this.undoStack : this.redoStack, step);
  }

  private push(stack: Step[], step: Step): void {
    stack.push(step);
    if (stack.length > this.limit) stack.shift();
  }
}

export function newStep(): Step {
  return { changes: [], applying: [] };
}

/**
 * The rows to put back for `step`: per row, from the value the step produced (its last "after") to the
 * one before it (its first "before"). A row whose current value is not what the step produced was
 * changed by someone else since: it is skipped.
 */
export function planRestore(
  step: Step,
  current: (table: string, id: string | number) => unknown,
): { items: RestoreItem[]; skipped: RowRef[] } {
  const rows = new Map<
    string,
    { table: string; id: string | number; before: Change['before']; after: Change['after'] }
  >();
  for (const c of step.changes) {
    const key = JSON.stringify([c.table, c.id]);
    const seen = rows.get(key);
    if (seen) seen.after = c.after;
    else rows.set(key, { table: c.table, id: c.id as string | number, before: c.before, after: c.after });
  }
  const items: RestoreItem[] = [];
  const skipped: RowRef[] = [];
  for (const r of rows.values()) {
    if (sameValue(r.before, r.after)) continue;
    if (!sameValue(current(r.table, r.id) ?? null, r.after)) skipped.push({ table: r.table, id: r.id });
    else items.push({ table: r.table, id: r.id, expect: r.after, restore: r.before });
  }
  return { items, skipped };
}
