/**
 * sssync: the client library. Schema, queries, mutations and the client; stores live in their own
 * entry points (`sssync/memory`, `sssync/idb`, `sssync/sqlite`) so an app bundles only the one it uses.
 */

export type { DevtoolsSource, ExchangeRecord, OutboxItem, ResourceInfo } from './client/inspector.js';
export type { MutationResult, MutationStatus } from './client/mutation-tracker.js';
export { type Executors, type ExportedData, SSSync, type SSSyncOptions } from './client/sssync.js';
export type { LogEntry, RowRef, SSSyncLog, UndoResult } from './history/index.js';
export {
  defineMutators,
  type MutatorArgs,
  type Mutators,
  RESTORE_MUTATOR,
  type RestoreCheck,
  type RestoreItem,
  restoreMutator,
  type TableWriter,
  type Transaction,
  withArgs,
} from './mutation/index.js';
export {
  type Condition,
  type ConditionBuilder,
  type Direction,
  type Operator,
  Query,
  type ResultChange,
} from './query/index.js';
export {
  c,
  defineSchema,
  type InsertRow,
  type MigrationStep,
  many,
  migrate,
  one,
  type Row,
  type Schema,
  type TableName,
  table,
  type UpdateRow,
} from './schema/index.js';
export type { OutboxEntry, Store, StoreBatch, StoredPage, StoreSnapshot } from './store/store.js';
export type { LoadedRows, LoaderFn, Loaders, ResourceHandle } from './sync/resources.js';
export type { SyncStatus } from './sync/status.js';
export { isSSSyncError, SSSyncError, type SSSyncErrorCode } from './util/errors.js';
