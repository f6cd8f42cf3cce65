import type * as v from 'valibot';

/** A valibot issue path leading to `keys` (only the keys matter to `formatFieldPath`). */
export function issuePath(
  first: string | number,
  ...rest: (string | number)[]
): [v.IssuePathItem, ...v.IssuePathItem[]] {
  const item = (key: string | number): v.IssuePathItem => ({
    type: 'unknown',
    origin: 'value',
    input: undefined,
    key,
    value: undefined,
  });
  return [item(first), ...rest.map(item)];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A field's JSON path as PROTOCOL.md writes it in `error.field`: `mutations[2].id`,
 * `lastMutationIDs["tab-1"]`; the empty string is the whole body.
 */
export function formatFieldPath(keys: readonly unknown[]): string {
  let out = '';
  for (const key of keys) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
