/** A value that survives `JSON.stringify` then `JSON.parse` unchanged. */
import { isWellFormed } from '../util/unicode.js';
export type JSONValue =
  | null
  | boolean
  | number
  | string
  | readonly JSONValue[]
  | { readonly [key: string]: JSONValue };

/** Where a value stops being JSON: the path inside it (empty when it nests too deep) and what is wrong. */
export interface JSONProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Finds the first place where `value` is not plain JSON or nests deeper than `maxDepth` (a scalar has
 * depth 0, `[]` depth 1, `[{}]` depth 2). Rejected: `undefined`, functions, symbols, bigints, NaN and
 * ±Infinity, holes in arrays, objects that are not plain (`Date`, `Map`, class instances), symbol keys.
 * Those would reach the server changed or dropped by `JSON.stringify`, so the mutation would run
 * differently there than it ran locally. A cycle counts as too deep.
 */
export function findJSONProblem(value: unknown, maxDepth: number): JSONProblem | undefined {
  const path: (string | number)[] = [];
  let tooDeep = false;
  const walk = (v: unknown, depth: number): string | undefined => {
    switch (typeof v) {
      case 'string':
        return isWellFormed(v) ? undefined : 'has a lone surrogate, which UTF-8 cannot hold';
      case 'boolean':
        return undefined;
      case 'number':
        return Number.isFinite(v) ? undefined : `is ${v}, which JSON cannot hold`;
      case 'object':
        break;
      default:
        return `is ${describe(v)}, which JSON cannot hold`;
    }
    if (v === null) return undefined;
    if (depth >= maxDepth) {
      tooDeep = true;
      return `nests deeper than ${maxDepth} levels (or contains a cycle)`;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        const problem = i in v ? walk(v[i], depth + 1) : 'is a hole in an array, which JSON cannot hold';
        if (problem !== undefined) return problem;
        path.pop();
      }
      return undefined;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      return `is ${describe(v)}, not a plain object: send its JSON form (a Date as an ISO string)`;
    }
    if (Object.getOwnPropertySymbols(v).length > 0) return 'has symbol keys, which JSON cannot hold';
    for (const key of Object.keys(v)) {
      path.push(key);
      if (!isWellFormed(key)) return 'is a key with a lone surrogate, which UTF-8 cannot hold';
      const problem = walk((v as Record<string, unknown>)[key], depth + 1);
      if (problem !== undefined) return problem;
      path.pop();
    }
    return undefined;
  };
  const message = walk(value, 0);
  // A depth problem is the whole value's: a path 32 levels long would help no one.
  return message === undefined ? undefined : { path: tooDeep ? [] : path, message };
}

function describe(v: unknown): string {
  if (typeof v === 'object' && v !== null) return `a ${v.constructor?.name ?? 'non-plain object'}`;
  if (typeof v === 'function') return 'a function';
  return typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`;
}
