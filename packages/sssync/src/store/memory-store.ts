import { errorMessage, SSSyncError } from '../util/errors.js';
import { checkBatch, writeFailed } from './check-batch.js';
import type { OutboxEntry, Store, StoreBatch, StoredPage, StoreSnapshot } from './store.js';

/**
 * A store in memory. Its data outlives `close()` for as long as the object lives, so a test can
 * "reload" a client on the same store; nothing reaches disk.
 */
export function memoryStore(): Store {
  return new MemoryStore();
}

const clone = <T>(v: T): T => structuredClone(v);

/**
 * The engine's rows are frozen, their JSON values too: sharing them is as safe as copying, and a
 * commit no longer clones a whole page to change one row. Anything else is copied. (A frozen row's
 * values can't be replaced, and a frozen value stays frozen.)
 */
const isFrozenRow = (row: object): boolean =>
  Object.isFrozen(row) &&
  Object.values(row).every((v) => v === null || typeof v !== 'object' || Object.isFrozen(v));

class MemoryStore implements Store {
  readonly kind = 'memory';
  private pages = new Map<string, StoredPage>();
  private outbox = new Map<number, OutboxEntry>();
  private meta = new Map<string, unknown>();
  private isOpen = false;

  async open(_name: string): Promise<void> {
    this.isOpen = true;
  }

  async load(): Promise<StoreSnapshot> {
    this.check();
    return {
      pages: clone(this.pages),
      outbox: [...this.outbox.values()].sort((a, b) => a.id - b.id).map(clone),
      meta: clone(this.meta),
    };
  }

  async commit(batch: StoreBatch): Promise<void> {
    this.check();
    checkBatch(batch);
    // Copy every value first: a throw (e.g. an uncloneable value) then changes nothing. Only after
    // that is the state changed in place — copying the whole maps per commit would cost O(store).
    let pages: [string, StoredPage][];
    let outbox: OutboxEntry[];
    let meta: [string, unknown][];
    try {
      pages = [...(batch.putPages ?? [])].map(([id, page]) => {
        // A row at the same place in the page as stored is the object this store already keeps (a
        // page rewritten for one changed row repeats the others): no check needed.
        const stored = this.pages.get(id)?.rows;
        const rows = page.rows.map((row, i) => (stored?.[i] === row || isFrozenRow(row) ? row : clone(row)));
        return [id, { table: page.table, rows }];
      });
      outbox = (batch.putOutbox ?? []).map(clone);
      meta = [...(batch.putMeta ?? [])].map(([key, value]) => [key, clone(value)]);
    } catch (e) {
      throw writeFailed(
        `A value in the commit cannot be stored (${errorMessage(e)}); store only JSON data.`,
        e,
      );
    }
    if (batch.clear) {
      this.pages.clear();
      this.outbox.clear();
      this.meta.clear();
    }
    for (const id of batch.deletePages ?? []) this.pages.delete(id);
    for (const [id, page] of pages) this.pages.set(id, page);
    for (const id of batch.deleteOutbox ?? []) this.outbox.delete(id);
    for (const entry of outbox) this.outbox.set(entry.id, entry);
    for (const key of batch.deleteMeta ?? []) this.meta.delete(key);
    for (const [key, value] of meta) this.meta.set(key, value);
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  private check(): void {
    if (!this.isOpen)
      throw new SSSyncError('STORE_CLOSED', 'The memory store is closed: open it before use.');
  }
}
