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
    // Build the next state aside, then swap: a throw (e.g. an uncloneable value) changes nothing.
    const pages = batch.clear ? new Map<string, StoredPage>() : new Map(this.pages);
    const outbox = batch.clear ? new Map<number, OutboxEntry>() : new Map(this.outbox);
    const meta = batch.clear ? new Map<string, unknown>() : new Map(this.meta);
    try {
      for (const id of batch.deletePages ?? []) pages.delete(id);
      for (const [id, page] of batch.putPages ?? []) pages.set(id, clone(page));
      for (const id of batch.deleteOutbox ?? []) outbox.delete(id);
      for (const entry of batch.putOutbox ?? []) outbox.set(entry.id, clone(entry));
      for (const key of batch.deleteMeta ?? []) meta.delete(key);
      for (const [key, value] of batch.putMeta ?? []) meta.set(key, clone(value));
    } catch (e) {
      throw writeFailed(
        `A value in the commit cannot be stored (${errorMessage(e)}); store only JSON data.`,
        e,
      );
    }
    this.pages = pages;
    this.outbox = outbox;
    this.meta = meta;
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  private check(): void {
    if (!this.isOpen)
      throw new SSSyncError('STORE_CLOSED', 'The memory store is closed: open it before use.');
  }
}
