/**
 * What a client holds of one test-mode resource: patches applied in order, as PROTOCOL.md §6.3 says,
 * and the loops that load a resource to completion.
 */
import type { PatchOp, PullResponse, ResourcePatch } from '../protocol/pull.js';
import { check, fail, show } from './check.js';
import { type Actor, pull } from './protocol-client.js';
import type { TestRun } from './test-run.js';

export type Item = {
  readonly id: string;
  readonly owner: string;
  readonly title: string;
  readonly n: number;
};

export class ItemRows {
  private readonly rows = new Map<string, Item>();

  apply(patch: readonly PatchOp[]): void {
    for (const op of patch) {
      if (op.op === 'clear') this.rows.clear();
      else if (op.table !== 'items') continue;
      else if (op.op === 'put') this.rows.set(String(op.row.id), toItem(op.row));
      else this.rows.delete(String(op.id));
    }
  }

  get list(): Item[] {
    return [...this.rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get(id: string): Item | undefined {
    return this.rows.get(id);
  }
}

/** The test-mode columns of a row (a row MAY carry more, §7). */
function toItem(row: Readonly<Record<string, unknown>>): Item {
  return { id: String(row.id), owner: row.owner as string, title: row.title as string, n: row.n as number };
}

interface Loaded {
  readonly cursor: string;
  readonly pages: readonly ResourcePatch[];
  /** The last response, whose `lastMutationIDs` hold once every page is in. */
  readonly last: PullResponse;
}

/** Pulls `path` from `cursor` into `rows` until a page has `more: false`. */
export async function load(
  t: TestRun,
  a: Actor,
  path: string,
  cursor: string | null,
  rows: ItemRows,
  what: string,
): Promise<Loaded> {
  const pages: ResourcePatch[] = [];
  let at = cursor;
  for (let n = 1; n <= 500; n++) {
    const last = await pull(t, a, [{ path, cursor: at }], `${what} (page ${n})`);
    const page = last.resources[0]!;
    rows.apply(page.patch);
    pages.push(page);
    at = page.cursor;
    if (!page.more) return { cursor: at, pages, last };
  }
  return fail(`${what}: still \`more: true\` after 500 pages`);
}

/** A fresh full load of `path`. */
export async function fullLoad(t: TestRun, a: Actor, path: string, what: string): Promise<ItemRows> {
  const rows = new ItemRows();
  await load(t, a, path, null, rows, what);
  return rows;
}

/** Fails unless `actual` holds exactly `expected`, naming the first differences. */
export function expectItems(actual: readonly Item[], expected: readonly Item[], what: string): void {
  const diff = itemDiff(actual, expected);
  check(diff === '', () => `${what}: ${diff}`);
}

/** "missing …; unexpected …; different …", or '' when the sets are equal. */
export function itemDiff(actual: readonly Item[], expected: readonly Item[]): string {
  const have = new Map(actual.map((item) => [item.id, item]));
  const want = new Map(expected.map((item) => [item.id, item]));
  const missing = expected.filter((item) => !have.has(item.id)).map((item) => item.id);
  const extra = actual.filter((item) => !want.has(item.id)).map((item) => item.id);
  const changed = expected.flatMap((item) => {
    const got = have.get(item.id);
    const same =
      got === undefined || (got.owner === item.owner && got.title === item.title && got.n === item.n);
    return same ? [] : [`${show(got)} instead of ${show(item)}`];
  });
  const parts = [
    missing.length > 0 ? `missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''}` : '',
    extra.length > 0 ? `unexpected ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? '…' : ''}` : '',
    changed.length > 0 ? `got ${changed.slice(0, 3).join('; ')}` : '',
  ];
  return parts.filter((p) => p !== '').join('; ');
}

export const item = (id: string, owner: string, title: string, n: number): Item => ({ id, owner, title, n });

/** The item as its owner `a` reads it through `/items/:id` (undefined when there is none). */
export async function readItem(t: TestRun, a: Actor, id: string, what: string): Promise<Item | undefined> {
  return (await fullLoad(t, a, `/items/${encodeURIComponent(id)}`, what)).get(id);
}
