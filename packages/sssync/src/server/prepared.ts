/**
 * Statements the server runs on every request, built and compiled by Kysely once per database instead
 * of on every run: building and compiling a statement costs about as much as SQLite running it (~10
 * µs), a fifth of a push or a pull (bench/README.md, B7). A statement is written as usual, with
 * `arg(i)` where the run's i-th argument goes; a run only puts the arguments in place.
 */
import { type Compilable, CompiledQuery, type QueryResult } from 'kysely';
import type { Tx } from './database.js';

const SLOT = Symbol('sssync.arg');

interface Slot {
  readonly [SLOT]: number;
}

/** Where the i-th argument goes: a value Kysely passes through to the compiled parameters untouched. */
export type Arg = (i: number) => any;

export type Prepared<A extends readonly unknown[]> = (
  tx: Tx,
  ...args: A
) => Promise<QueryResult<Record<string, unknown>>>;

const slot: Arg = (i) => ({ [SLOT]: i }) satisfies Slot;

const isSlot = (p: unknown): p is Slot => typeof p === 'object' && p !== null && SLOT in p;

export function prepared<A extends readonly unknown[]>(
  build: (tx: Tx, arg: Arg) => Compilable<unknown>,
): Prepared<A> {
  // Keyed by the Kysely instance's adapter, which all its transactions share.
  const compiled = new WeakMap<object, CompiledQuery<unknown>>();
  return (tx, ...args) => {
    const executor = tx.getExecutor();
    // Plugins may rewrite each query or keep state per query id: build and compile it every time.
    if (executor.plugins.length > 0) {
      return tx.executeQuery(build(tx, (i) => args[i])) as Promise<QueryResult<Record<string, unknown>>>;
    }
    let query = compiled.get(executor.adapter);
    if (query === undefined) {
      query = build(tx, slot).compile();
      compiled.set(executor.adapter, query);
    }
    const parameters = query.parameters.map((p) => (isSlot(p) ? args[p[SLOT]] : p));
    return tx.executeQuery({ ...query, parameters }) as Promise<QueryResult<Record<string, unknown>>>;
  };
}

/** A statement without parameters (a savepoint), compiled once for every database. */
export function fixed(text: string): (tx: Tx) => Promise<unknown> {
  const query = CompiledQuery.raw(text);
  return (tx) => tx.executeQuery(query);
}
