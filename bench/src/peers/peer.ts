/**
 * The contract every engine's adapter meets, so each benchmark is written once. An adapter turns the
 * same generated books into its own server response (`prepare`, untimed), loads it the way an app of
 * that engine would (`bootstrap`, timed in B1) and answers the same queries.
 */
import type { Book } from '../data.js';

export type LiveQueryKind = 'filtered' | 'top50';

export interface Instance {
  /** Rows with pageCount ≥ FILTER_MIN: a query that touches every row. */
  countFiltered(): Promise<number>;
  /** Rows with pageCount = n, through an index where the engine has one. */
  countPageCount(n: number): Promise<number>;
  /** Follows a live query: filtered (pageCount ≥ FILTER_MIN) or sorted top-50 (pageCount desc). */
  watch(kind: LiveQueryKind, onResult: () => void): () => void;
  /** One write, as the app would make it (a mutation, a collection update...). */
  setPageCount(book: Book, pageCount: number): unknown;
  close(): Promise<void>;
}

export interface Peer<F = unknown> {
  readonly name: string;
  /** Builds what this engine's server would answer for all of `books` (a response body). */
  prepare(books: readonly Book[]): Promise<F>;
  /** From that response to a queryable instance. */
  bootstrap(fixture: F): Promise<Instance>;
}

let counter = 0;
/** A fresh database name per instance, so instances never share state. */
export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++counter}`;
