/**
 * Just enough of Vitest's API (`describe`, `it`, `it.each`, `afterEach`, `expect`) for the shared
 * store suite to run inside a browser page, bundled in place of `vitest`. The Node test collects the
 * results, one assertion per test name.
 */
type Fn = (...args: any[]) => unknown;

interface TestCase {
  readonly name: string;
  readonly fn: Fn;
  readonly afterEach: readonly Fn[][];
}

export interface TestResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

const tests: TestCase[] = [];
const names: string[] = [];
const scopes: Fn[][] = [[]];

export function describe(name: string, fn: () => void): void {
  names.push(name);
  scopes.push([]);
  try {
    fn();
  } finally {
    scopes.pop();
    names.pop();
  }
}

export function afterEach(fn: Fn): void {
  scopes.at(-1)!.push(fn);
}

function register(name: string, fn: Fn): void {
  // The scopes themselves, not copies: Vitest runs hooks registered after a test too.
  tests.push({ name: [...names, name].join(' > '), fn, afterEach: [...scopes] });
}

export const it = Object.assign(register, {
  each:
    <T extends readonly unknown[]>(cases: readonly T[]) =>
    (name: string, fn: (...args: T) => unknown) => {
      for (const args of cases) {
        let i = 0;
        register(
          name.replace(/%s/g, () => String(args[i++])),
          () => fn(...args),
        );
      }
    },
});

export const testNames = (): string[] => tests.map((t) => t.name);

export async function runTests(): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const t of tests) {
    let error: unknown;
    try {
      await t.fn();
    } catch (e) {
      error = e;
    }
    for (const scope of [...t.afterEach].reverse()) {
      for (const hook of scope) {
        try {
          await hook();
        } catch (e) {
          error ??= e;
        }
      }
    }
    results.push(
      error === undefined
        ? { name: t.name, ok: true }
        : {
            name: t.name,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          },
    );
  }
  return results;
}

/** Vitest's equality: `strict` is `toStrictEqual` (undefined properties and prototypes count). */
export function equals(a: unknown, b: unknown, strict: boolean): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !equals(v, b.get(k), strict)) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return false;
  const keys = (o: object) =>
    Object.keys(o).filter((k) => strict || (o as Record<string, unknown>)[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!equals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], strict)) return false;
  }
  return true;
}

const show = (v: unknown): string => {
  try {
    return JSON.stringify(v, (_, x) =>
      x instanceof Map ? { Map: [...x] } : typeof x === 'bigint' ? `${x}n` : x,
    ).slice(0, 500);
  } catch {
    return String(v);
  }
};

export const expect = Object.assign(
  (actual: unknown) => {
    const check = (ok: boolean, what: string, expected: unknown) => {
      if (!ok) throw new Error(`expected ${show(actual)} ${what} ${show(expected)}`);
    };
    return {
      toBe: (expected: unknown) => check(Object.is(actual, expected), 'to be', expected),
      toEqual: (expected: unknown) => check(equals(actual, expected, false), 'to equal', expected),
      toStrictEqual: (expected: unknown) =>
        check(equals(actual, expected, true), 'to strictly equal', expected),
    };
  },
  {
    fail: (message: string): never => {
      throw new Error(message);
    },
  },
);
