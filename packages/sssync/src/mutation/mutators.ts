import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Schema } from '../schema/schema.js';
import { SSSyncError } from '../util/errors.js';
import { isWellFormed } from '../util/unicode.js';
import { RESTORE_MUTATOR, restoreMutator } from './restore.js';
import type { Transaction } from './transaction.js';

export type MutatorFn<S extends Schema> = (tx: Transaction<S>, ...args: any[]) => unknown;

/** A mutator whose arguments are checked with Standard Schema validators (zod, valibot, arktype…). */
export interface ValidatedMutator<S extends Schema, A extends readonly StandardSchemaV1[]> {
  readonly args: A;
  readonly run: (
    tx: Transaction<S>,
    ...args: { [K in keyof A]: StandardSchemaV1.InferOutput<A[K]> }
  ) => unknown;
}

export type MutatorDef<S extends Schema> = MutatorFn<S> | ValidatedMutator<S, any>;
export type MutatorDefs<S extends Schema> = Record<string, MutatorDef<S>>;

/** The arguments `execute.<name>(...)` takes. */
export type MutatorArgs<D> =
  D extends ValidatedMutator<any, infer A>
    ? { [K in keyof A]: StandardSchemaV1.InferInput<A[K]> }
    : D extends (tx: any, ...args: infer P) => unknown
      ? P
      : never;

export interface Mutators<S extends Schema, M extends MutatorDefs<S>> {
  readonly schema: S;
  readonly defs: M;
}

/**
 * The app's mutators, plus the built-in `__sssync_restore` that undo/redo run (not in `M`, so not in
 * `execute`): every mutator set — client, `createSyncHandler`, reference server — knows it.
 */
export function defineMutators<S extends Schema, const M extends MutatorDefs<S>>(
  schema: S,
  defs: M,
): Mutators<S, M> {
  for (const [name, def] of Object.entries(defs)) {
    if (name.startsWith('__sssync_')) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        `Mutator "${name}": names starting "__sssync_" are reserved.`,
      );
    }
    const ok = typeof def === 'function' || (def && typeof def.run === 'function' && Array.isArray(def.args));
    if (!ok) {
      throw new SSSyncError('INVALID_ARGUMENT', `Mutator "${name}" must be a function or { args, run }.`);
    }
  }
  return { schema, defs: { ...defs, [RESTORE_MUTATOR]: restoreMutator(schema) } };
}

/** `withArgs([v.string(), v.number()], (tx, id, n) => …)`: a mutator with validated, typed arguments. */
export function withArgs<S extends Schema, const A extends readonly StandardSchemaV1[]>(
  args: A,
  run: (tx: Transaction<S>, ...args: { [K in keyof A]: StandardSchemaV1.InferOutput<A[K]> }) => unknown,
): ValidatedMutator<S, A> {
  return { args, run };
}

/** Looks a mutator up by own property only: `__proto__` or `constructor` are unknown mutators. */
export function findMutator<S extends Schema>(defs: MutatorDefs<S>, name: string): MutatorDef<S> {
  const def = typeof name === 'string' && Object.hasOwn(defs, name) ? defs[name] : undefined;
  if (!def)
    throw new SSSyncError('UNKNOWN_MUTATOR', `Unknown mutator "${String(name)}": add it to defineMutators.`);
  return def;
}

/**
 * Checks `args` with the mutator's validators (if any) and returns what the mutator is called with.
 * A failure names the argument: `INVALID_ARGUMENT`, details `{ mutator, argument, issues }`.
 */
export async function validateArgs<S extends Schema>(
  name: string,
  def: MutatorDef<S>,
  args: readonly unknown[],
): Promise<unknown[]> {
  checkJsonArgs(name, args);
  if (typeof def === 'function') return [...args];
  const validators = def.args as readonly StandardSchemaV1[];
  if (args.length > validators.length) {
    throw new SSSyncError(
      'INVALID_ARGUMENT',
      `Mutator "${name}" takes ${validators.length} arguments, got ${args.length}.`,
      {
        details: { mutator: name, argument: validators.length },
      },
    );
  }
  const out: unknown[] = [];
  for (let i = 0; i < validators.length; i++) {
    let result = validators[i]!['~standard'].validate(args[i]);
    if (result instanceof Promise) result = await result;
    if (result.issues) {
      const what = result.issues.map((x) => x.message).join('; ');
      throw new SSSyncError('INVALID_ARGUMENT', `Mutator "${name}": argument ${i} is invalid: ${what}`, {
        details: { mutator: name, argument: i, issues: result.issues },
      });
    }
    out.push(result.value);
  }
  return out;
}

/** Arguments are stored in the outbox and sent to the server: they must be plain JSON. */
function checkJsonArgs(name: string, args: readonly unknown[]): void {
  let argument = 0;
  const check = (v: unknown, path: string, depth: number): void => {
    const bad = (why: string): never => {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        `Mutator "${name}": ${path} ${why}; arguments must be JSON data.`,
        {
          details: { mutator: name, argument },
        },
      );
    };
    if (depth > 32) bad('is nested too deeply');
    if (typeof v === 'string') {
      if (!isWellFormed(v)) bad('has a lone surrogate, which UTF-8 cannot hold');
      return;
    }
    if (v === null || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) bad('is not a finite number');
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) check(v[i], `${path}[${i}]`, depth + 1);
      return;
    }
    if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) bad('is not a plain object');
      for (const [k, x] of Object.entries(v as object)) check(x, `${path}.${k}`, depth + 1);
      return;
    }
    bad(`is a ${typeof v}`);
  };
  args.forEach((a, i) => {
    argument = i;
    check(a, `argument ${i}`, 0);
  });
}
