import { SSSyncError } from '../util/errors.js';
import { checkOutboxEntry, checkPage } from './check-snapshot.js';
import type { StoreBatch } from './store.js';

/**
 * Stores run the checks `load()` runs before they write, so a bug that commits a malformed page or
 * outbox entry fails at once instead of making every later load fail with `STORE_CORRUPTED`.
 */
export function checkBatch(batch: StoreBatch): void {
  const fail = (what: string) =>
    new SSSyncError(
      'STORE_WRITE_FAILED',
      `A commit held malformed data (${what}), so nothing was written. Pages need a table and rows with ids; outbox entries need an integer id, a name, args, a timestamp and undo.`,
    );
  for (const [id, page] of batch.putPages ?? []) checkPage(id, page, fail);
  for (const entry of batch.putOutbox ?? []) checkOutboxEntry(entry, fail);
}

/**
 * What every store rejects with when a commit fails. The previous state is intact, so the caller may
 * retry once it has dealt with the cause that `message` names.
 */
export function writeFailed(message: string, cause: unknown): SSSyncError {
  if (cause instanceof SSSyncError) return cause;
  return new SSSyncError('STORE_WRITE_FAILED', `${message} Nothing was written.`, { cause });
}
