import { SSSyncError } from '../util/errors.js';
import type { OutboxEntry, StoredPage } from './store.js';

/**
 * Stores check the shape of what they read so that corrupted data fails loudly with
 * `STORE_CORRUPTED` (and nothing is overwritten) instead of surfacing as odd rows later.
 */
export function corrupted(what: string, cause?: unknown): SSSyncError {
  return new SSSyncError(
    'STORE_CORRUPTED',
    `The local store is corrupted (${what}). Nothing was changed; export or inspect it, then delete the local database to re-sync.`,
    cause === undefined ? undefined : { cause },
  );
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** `fail` builds the error: `corrupted` when reading, a write failure when checking a batch. */
type Fail = (what: string) => SSSyncError;

export function checkPage(key: string, v: unknown, fail: Fail = corrupted): StoredPage {
  if (!isObj(v) || typeof v.table !== 'string' || !Array.isArray(v.rows)) throw fail(`page "${key}"`);
  for (const row of v.rows) {
    if (!isObj(row) || (typeof row.id !== 'string' && typeof row.id !== 'number')) {
      throw fail(`a row in page "${key}" has no id`);
    }
  }
  return v as unknown as StoredPage;
}

export function checkOutboxEntry(v: unknown, fail: Fail = corrupted): OutboxEntry {
  if (
    !isObj(v) ||
    !Number.isInteger(v.id) ||
    typeof v.name !== 'string' ||
    !Array.isArray(v.args) ||
    typeof v.timestamp !== 'number' ||
    !Array.isArray(v.undo)
  ) {
    throw fail('an outbox entry');
  }
  return v as unknown as OutboxEntry;
}
