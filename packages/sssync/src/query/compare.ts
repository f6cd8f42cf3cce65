/**
 * Value order and comparison, with SQL semantics so a query gives the same rows on the client and on
 * the server's database: `null` sorts first (as in SQLite) and never satisfies a comparison; strings
 * compare by code point (SQL's binary collation orders UTF-8 bytes, which is code point order);
 * `false < true`.
 */
const rank = (v: unknown): number => {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
      return 2;
    case 'string':
      return 3;
    default:
      return 4;
  }
};

export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
    case 2:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 3:
      return compareStrings(a as string, b as string);
    default: {
      // JSON values have no SQL order; compare their serialisation so the order is at least total.
      const sa = JSON.stringify(a);
      const sb = JSON.stringify(b);
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    }
  }
}

/**
 * Code point order. JavaScript's `<` compares UTF-16 code units, which puts astral characters
 * (surrogates, 0xD800–0xDFFF) before U+E000–U+FFFF: `'😀' < 'ｆ'` in JavaScript, not in SQL.
 */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Only a surrogate against U+E000–U+FFFF orders differently by code point than by code unit.
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys && (xs ? y : x) >= 0xe000) return xs ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/** Equality as SQL `=` sees it for scalars; JSON values compare structurally. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

const likeCache = new Map<string, RegExp>();

/** SQL LIKE, case-sensitive: `%` any run of characters, `_` exactly one, `\` escapes. */
export function likeToRegExp(pattern: string): RegExp {
  let re = likeCache.get(pattern);
  if (re) return re;
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      src += escapeRe(pattern[++i]!);
    } else if (ch === '%') src += '[\\s\\S]*';
    else if (ch === '_') src += '[\\s\\S]';
    else src += escapeRe(ch);
  }
  re = new RegExp(`${src}$`, 'u');
  if (likeCache.size > 500) likeCache.clear();
  likeCache.set(pattern, re);
  return re;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
