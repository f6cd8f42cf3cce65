/** mutation/: mutator definitions, argument validation, the client-side transaction and its write log. */

export { clientTransaction, queryRoot, type TxContext, WriteLog } from './client-tx.js';
export {
  defineMutators,
  findMutator,
  type MutatorArgs,
  type MutatorDef,
  type MutatorDefs,
  type MutatorFn,
  type Mutators,
  type ValidatedMutator,
  validateArgs,
  withArgs,
} from './mutators.js';
export {
  RESTORE_MUTATOR,
  type RestoreCheck,
  type RestoreItem,
  restoreMutator,
  sameValue,
} from './restore.js';
export { runMutation } from './run-mutation.js';
export type { QueryRoot, TableWriter, Transaction } from './transaction.js';
