import { sameResult } from './same-result.js';

/** What `useQueryState` returns: the result, and whether the client has given one yet. */
export interface QueryState<T> {
  /** The rows (or, for `one()`, the row or `undefined`); empty while loading. */
  readonly data: T;
  /** `loading` until the client is ready and has run the query once, then `ready`. */
  readonly status: 'loading' | 'ready';
}

interface Subscribable<T> {
  readonly ast: { readonly single?: boolean };
  subscribe(listener: (result: T) => void): () => void;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * One query as a `useSyncExternalStore` source. The snapshot changes only when the client hands over
 * a new result, and the client keeps a result's identity while it does not change.
 */
export class QueryStore<T> {
  private readonly query: Subscribable<T>;
  private readonly initial: QueryState<T>;
  private state: QueryState<T>;
  private peeked = false;

  constructor(query: Subscribable<T>) {
    this.query = query;
    this.initial = { data: (query.ast.single ? undefined : EMPTY) as T, status: 'loading' };
    this.state = this.initial;
  }

  readonly getSnapshot = (): QueryState<T> => {
    // A ready client answers a subscription at once: take that result for the first render (no
    // "loading" flash), and let go before the render commits, so an abandoned render leaks nothing.
    if (!this.peeked) {
      this.peeked = true;
      this.query.subscribe((data) => {
        this.state = { data, status: 'ready' };
      })();
    }
    return this.state;
  };

  readonly getServerSnapshot = (): QueryState<T> => this.initial;

  readonly subscribe = (onChange: () => void): (() => void) => {
    this.peeked = true;
    let first = true;
    return this.query.subscribe((data) => {
      // The first result of a (re)subscription is the data the snapshot already holds, usually.
      const same = first && this.state.status === 'ready' && sameResult(this.state.data, data);
      first = false;
      if (same) return;
      this.state = { data, status: 'ready' };
      onChange();
    });
  };
}
