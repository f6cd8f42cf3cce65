import type { Database } from '../query/database.js';
import type { Schema } from '../schema/schema.js';
import { errorMessage, SSSyncError } from '../util/errors.js';
import { clientTransaction, type TxContext, WriteLog } from './client-tx.js';
import { findMutator, type MutatorDefs, validateArgs } from './mutators.js';

/**
 * Runs one mutator against the in-memory tables. On success the writes are in place and the returned
 * log can roll them back; on failure nothing is changed and the error is thrown: the mutator's own
 * `SSSyncError`, or `MUTATOR_FAILED` wrapping whatever it threw.
 */
export async function runMutation<S extends Schema>(
  db: Database,
  defs: MutatorDefs<S>,
  name: string,
  args: readonly unknown[],
  ctx: TxContext,
): Promise<WriteLog> {
  const def = findMutator(defs, name);
  const validated = await validateArgs(name, def, args);
  const log = new WriteLog();
  const { tx, failure } = clientTransaction<S>(db, log, ctx);
  const fn = typeof def === 'function' ? def : def.run;
  try {
    await (fn as (...a: unknown[]) => unknown)(tx, ...validated);
    const failed = failure();
    if (failed !== undefined) throw failed;
  } catch (e) {
    log.rollback(db);
    throw e instanceof SSSyncError
      ? e
      : new SSSyncError('MUTATOR_FAILED', `Mutator "${name}" failed: ${errorMessage(e)}`, {
          cause: e,
          details: { mutator: name },
        });
  }
  return log;
}
