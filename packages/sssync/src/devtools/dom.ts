/** A tiny element builder: `h('td', { class: 'num', title }, text)`. `on*` props add listeners. */
export type Child = Node | string | number | null | undefined | false;

type Props = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  props: Props = {},
  ...children: (Child | readonly Child[])[]
): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key in el && typeof (el as unknown as Record<string, unknown>)[key] === 'boolean') {
      (el as unknown as Record<string, unknown>)[key] = value;
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: readonly (Child | readonly Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'object' ? c : el.ownerDocument!.createTextNode(String(c)));
  }
}

/** Replaces `el`'s children. */
export function fill(el: Node, ...children: (Child | readonly Child[])[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

/** A colored label: `badge(doc, 'rejected', 'bad')`. */
export function badge(doc: Document, text: string, tone: string): HTMLSpanElement {
  return h(doc, 'span', { class: `badge ${tone}` }, text);
}

/** A table with one header row: a string is a plain `<th>`, an element (a `<th>` with a class) goes in as is. */
export function table(
  doc: Document,
  headers: readonly Child[],
  body: HTMLTableSectionElement,
): HTMLTableElement {
  return h(
    doc,
    'table',
    {},
    h(
      doc,
      'thead',
      {},
      h(
        doc,
        'tr',
        {},
        headers.map((x) => (typeof x === 'string' ? h(doc, 'th', {}, x) : x)),
      ),
    ),
    body,
  );
}
