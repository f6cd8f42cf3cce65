import type { RowRecord } from '../schema/validate-row.js';
import type { StoredPage } from './store.js';

/** Rows per page: big enough that a full load is a few hundred records, small enough to rewrite per write. */
export const PAGE_SIZE = 256;

type Id = string | number;

export interface RowChange {
  readonly table: string;
  readonly id: Id;
  readonly after: RowRecord | null;
}

export interface PagePlan {
  readonly putPages: Map<string, StoredPage>;
  readonly deletePages: string[];
  /** Pages put whose rows are not the same ids in the same order as before (new, grown, shrunk). */
  readonly reshaped: ReadonlySet<string>;
  /** The page a row is in once the plan applies (undefined: in none). */
  pageOf(table: string, id: Id): string | undefined;
  /** Makes the plan the page map's state; call only once the store commit succeeded. */
  apply(): void;
}

/** A page a plan rewrites: its ids before, and its new ids once they differ (null: the same). */
interface Touched {
  readonly table: string;
  readonly before: readonly Id[];
  ids: Set<Id> | null;
}

/** The touched page's ids, copied to be changed. */
function editable(p: Touched): Set<Id> {
  p.ids ??= new Set(p.before);
  return p.ids;
}

/**
 * Which page each row lives in. A new row goes into a page of its table with room; a changed row's
 * page is rewritten whole. Plans are computed aside and applied only after the store commit succeeds,
 * so a failed commit leaves the map matching what is on disk.
 */
export class PageMap {
  private readonly pageOf = new Map<string, Map<Id, string>>();
  /** Each page's row ids: an array (a Set per page cost ~40 more bytes per row; plans copy one to a Set). */
  private readonly members = new Map<string, { table: string; ids: readonly Id[] }>();
  private readonly nextPage = new Map<string, number>();

  /** Registers a page read from the store. A row found in two pages keeps the first one. */
  load(pageId: string, page: StoredPage): void {
    const ids: Id[] = [];
    const of = this.tableMap(page.table);
    for (const row of page.rows) {
      const id = row.id as Id;
      if (of.has(id)) continue;
      of.set(id, pageId);
      ids.push(id);
    }
    this.members.set(pageId, { table: page.table, ids });
    const n = Number(pageId.slice(pageId.lastIndexOf(':') + 1));
    if (Number.isInteger(n) && n >= (this.nextPage.get(page.table) ?? 0))
      this.nextPage.set(page.table, n + 1);
  }

  /** The pages to write for `changes`, reading current rows through `rowOf`. */
  plan(changes: Iterable<RowChange>, rowOf: (table: string, id: Id) => RowRecord | undefined): PagePlan {
    // A touched page's ids are copied only once they change: a write that only changes a row's
    // values rewrites its page's rows but leaves its ids as they are.
    const touched = new Map<string, Touched>();
    // Where a row moved to in this plan (null: out of every page), per table (a Map keeps 1 and '1' apart).
    const moved = new Map<string, Map<Id, string | null>>();
    const movedIn = (table: string) => {
      let m = moved.get(table);
      if (!m) {
        m = new Map();
        moved.set(table, m);
      }
      return m;
    };
    const placed = (table: string, id: Id): string | null | undefined => {
      const m = moved.get(table);
      return m?.has(id) ? m.get(id) : this.pageOf.get(table)?.get(id);
    };
    const nextPage = new Map(this.nextPage);
    const open = new Map<string, string>();
    const page = (pageId: string, table: string) => {
      let p = touched.get(pageId);
      if (!p) {
        p = { table, before: this.members.get(pageId)?.ids ?? [], ids: null };
        touched.set(pageId, p);
      }
      return p;
    };
    for (const c of changes) {
      const current = placed(c.table, c.id);
      if (c.after) {
        if (current) {
          page(current, c.table);
          continue;
        }
        const target = open.get(c.table) ?? this.findRoom(c.table, touched, nextPage);
        open.set(c.table, target);
        const ids = editable(page(target, c.table));
        ids.add(c.id);
        movedIn(c.table).set(c.id, target);
        if (ids.size >= PAGE_SIZE) open.delete(c.table);
      } else if (current) {
        editable(page(current, c.table)).delete(c.id);
        movedIn(c.table).set(c.id, null);
      }
    }
    const putPages = new Map<string, StoredPage>();
    const deletePages: string[] = [];
    const reshaped = new Set<string>();
    for (const [pageId, p] of touched) {
      const rows: RowRecord[] = [];
      for (const id of p.ids ?? p.before) {
        const row = rowOf(p.table, id);
        if (row) rows.push(row);
        else editable(p).delete(id);
      }
      if (rows.length > 0) {
        putPages.set(pageId, { table: p.table, rows });
        const old = p.before;
        if (p.ids !== null && (old.length !== rows.length || rows.some((row, i) => row.id !== old[i])))
          reshaped.add(pageId);
      } else if (this.members.has(pageId)) deletePages.push(pageId);
    }
    return {
      putPages,
      deletePages,
      reshaped,
      pageOf: (table, id) => {
        const target = placed(table, id);
        if (!target) return undefined;
        // A row whose page was rewritten without it (it is gone, or temporary-only) is in none.
        return touched.get(target)?.ids?.has(id) === false ? undefined : target;
      },
      apply: () => {
        for (const [pageId, p] of touched) {
          if (p.ids === null) continue; // same ids as before
          const of = this.tableMap(p.table);
          for (const id of p.before) if (!p.ids.has(id) && of.get(id) === pageId) of.delete(id);
          for (const id of p.ids) of.set(id, pageId);
          if (p.ids.size > 0) this.members.set(pageId, { table: p.table, ids: [...p.ids] });
          else this.members.delete(pageId);
        }
        for (const [t, n] of nextPage) this.nextPage.set(t, n);
      },
    };
  }

  private findRoom(table: string, touched: Map<string, Touched>, nextPage: Map<string, number>): string {
    for (const [pageId, m] of this.members) {
      if (m.table === table && (touched.get(pageId)?.ids?.size ?? m.ids.length) < PAGE_SIZE) return pageId;
    }
    const n = nextPage.get(table) ?? 0;
    nextPage.set(table, n + 1);
    return `${table}:${n}`;
  }

  private tableMap(table: string): Map<Id, string> {
    let m = this.pageOf.get(table);
    if (!m) {
      m = new Map();
      this.pageOf.set(table, m);
    }
    return m;
  }
}
