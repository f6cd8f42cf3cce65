/**
 * history/: what the client remembers of its own writes — the undo/redo stacks (undo is a new
 * `__sssync_restore` mutation) and the mutation log a user can export and import.
 */

export { type LogEntry, MutationLog, parseLog, type SSSyncLog } from './event-log.js';
export { type RowRef, type Step, UndoHistory, type UndoResult } from './undo-history.js';
