import type { Direction, Operator } from '../query/ast.js';
import type { TableDef } from '../schema/table.js';
import { fill, h } from './dom.js';
import { FILTER_OPERATORS, type FilterOperator, parseFilterValue, takesValue } from './filter.js';
import { cell } from './format.js';
import type { TabContext, TabView } from './tab.js';

type Row = Readonly<Record<string, unknown>>;

/** The part of the query builder the browser uses, for any table of any schema. */
interface AnyQuery {
  where(column: string, op: Operator, value: unknown): AnyQuery;
  orderBy(column: string, direction: Direction): AnyQuery;
  subscribe(listener: (rows: readonly Row[]) => void): () => void;
}

/** Rows per page: enough to scan, few enough that a 10,000-row table renders at once. */
export const PAGE_SIZE = 100;

/**
 * Browses each table's rows through the client's own live queries: a `where` built from the filter
 * bar, an `orderBy` from the clicked header, one page rendered at a time.
 */
export function tablesTab({ doc, client, source }: TabContext): TabView {
  const tables = source.schema.tables as Record<string, TableDef>;
  const names = Object.keys(tables);
  let selected = names[0];
  let rows: readonly Row[] = [];
  let page = 0;
  let sort: [string, Direction] | undefined;
  let filter: { column: string; op: FilterOperator; value: unknown } | undefined;
  let stop: (() => void) | undefined;
  let redraw: ReturnType<typeof setTimeout> | undefined;

  const sidebar = h(doc, 'div', { class: 'sidebar', role: 'tablist', 'aria-label': 'tables' });
  const column = h(doc, 'select', { 'aria-label': 'filter column', onchange: () => syncValueInput() });
  const op = h(doc, 'select', { 'aria-label': 'filter operator', onchange: () => syncValueInput() });
  for (const o of FILTER_OPERATORS) op.append(h(doc, 'option', { value: o }, o));
  const value = h(doc, 'input', {
    type: 'text',
    placeholder: 'value',
    'aria-label': 'filter value',
    onkeydown: (e) => {
      if ((e as KeyboardEvent).key === 'Enter') applyFilter();
    },
  });
  const message = h(doc, 'span', { class: 'error-text', role: 'alert' });
  const info = h(doc, 'span', { class: 'row-info' });
  const prev = h(
    doc,
    'button',
    { class: 'btn', 'aria-label': 'previous page', onclick: () => turn(-1) },
    '‹',
  );
  const next = h(doc, 'button', { class: 'btn', 'aria-label': 'next page', onclick: () => turn(1) }, '›');
  const head = h(doc, 'thead');
  const body = h(doc, 'tbody');
  const scroll = h(doc, 'div', { class: 'scroll' }, h(doc, 'table', { class: 'rows' }, head, body));
  const toolbar = h(
    doc,
    'div',
    { class: 'toolbar' },
    h(doc, 'span', {}, 'where'),
    column,
    op,
    value,
    h(doc, 'button', { class: 'btn', 'data-action': 'filter', onclick: () => applyFilter() }, 'Filter'),
    h(doc, 'button', { class: 'btn', 'data-action': 'clear-filter', onclick: () => clearFilter() }, 'Clear'),
    message,
    h(doc, 'span', { class: 'pager' }, info, prev, next),
  );
  const element = h(
    doc,
    'div',
    { class: 'body', 'data-tab-content': 'tables' },
    sidebar,
    h(doc, 'div', { class: 'pane' }, toolbar, scroll),
  );

  function columnsOf(table: string | undefined): string[] {
    return table ? Object.keys(tables[table]?.columns ?? {}) : [];
  }

  function syncValueInput(): void {
    value.disabled = !takesValue(op.value as FilterOperator);
  }

  function select(table: string): void {
    selected = table;
    filter = undefined;
    sort = undefined;
    page = 0;
    value.value = '';
    message.textContent = '';
    fill(column, ...columnsOf(table).map((c) => h(doc, 'option', { value: c }, c)));
    renderSidebar();
    resubscribe();
  }

  function applyFilter(): void {
    const col = column.value;
    const o = op.value as FilterOperator;
    const kind = selected ? tables[selected]?.columns[col]?.kind : undefined;
    if (!kind) return;
    try {
      filter = { column: col, op: o, value: parseFilterValue(kind, o, value.value) };
    } catch (e) {
      message.textContent = (e as Error).message;
      return;
    }
    page = 0;
    resubscribe();
  }

  function clearFilter(): void {
    filter = undefined;
    value.value = '';
    page = 0;
    resubscribe();
  }

  function resubscribe(): void {
    stop?.();
    stop = undefined;
    rows = [];
    message.textContent = '';
    if (!selected) {
      renderRows();
      return;
    }
    const root = client.query as unknown as Record<string, AnyQuery>;
    try {
      let q = root[selected]!;
      if (filter) q = q.where(filter.column, filter.op, filter.value);
      if (sort) q = q.orderBy(sort[0], sort[1]);
      stop = q.subscribe((next) => {
        rows = next;
        // A burst of commits (an import, a big pull) redraws the page once.
        redraw ??= setTimeout(() => {
          redraw = undefined;
          renderRows();
        }, 16);
      });
    } catch (e) {
      // The query builder checks what the filter bar built (a value of the wrong type, say).
      message.textContent = (e as Error).message;
    }
    renderRows();
  }

  function turn(by: number): void {
    page += by;
    renderRows();
  }

  function renderSidebar(): void {
    const counts = new Map(source.tables().map((t) => [t.name, t.count]));
    fill(
      sidebar,
      names.map((name) =>
        h(
          doc,
          'button',
          {
            role: 'tab',
            'data-table': name,
            'aria-selected': String(name === selected),
            onclick: () => select(name),
          },
          h(doc, 'span', {}, name),
          h(doc, 'span', { class: 'count' }, counts.get(name) ?? '…'),
        ),
      ),
    );
  }

  function renderRows(): void {
    const cols = columnsOf(selected);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    page = Math.min(Math.max(0, page), pages - 1);
    const from = page * PAGE_SIZE;
    const shown = rows.slice(from, from + PAGE_SIZE);
    info.textContent =
      rows.length === 0
        ? '0 rows'
        : `${from + 1}–${from + shown.length} of ${rows.length} row${rows.length === 1 ? '' : 's'}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    fill(
      head,
      h(
        doc,
        'tr',
        {},
        cols.map((c) =>
          h(
            doc,
            'th',
            {
              class: 'sortable',
              title: 'Sort by this column',
              'data-column': c,
              onclick: () => {
                sort = sort?.[0] !== c ? [c, 'asc'] : sort[1] === 'asc' ? [c, 'desc'] : undefined;
                resubscribe();
              },
            },
            c,
            sort?.[0] === c ? (sort[1] === 'asc' ? ' ▲' : ' ▼') : '',
          ),
        ),
      ),
    );
    fill(
      body,
      shown.length === 0
        ? h(doc, 'tr', {}, h(doc, 'td', { class: 'empty', colspan: cols.length || 1 }, 'No rows'))
        : shown.map((row) =>
            h(
              doc,
              'tr',
              { 'data-row-id': String(row.id) },
              cols.map((c) => {
                const v = cell(row[c]);
                return h(doc, 'td', { title: v.full }, h(doc, 'span', { class: `v-${v.kind}` }, v.text));
              }),
            ),
          ),
    );
  }

  if (selected) select(selected);
  else renderRows();
  syncValueInput();

  return {
    element,
    update: renderSidebar,
    destroy: () => {
      stop?.();
      stop = undefined;
      clearTimeout(redraw);
    },
  };
}
