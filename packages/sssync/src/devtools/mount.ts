import { badge, fill, h } from './dom.js';
import { downloadExport } from './export-data.js';
import { networkTab } from './network-tab.js';
import { outboxTab } from './outbox-tab.js';
import { resourcesTab } from './resources-tab.js';
import { schemaTab } from './schema-tab.js';
import { STYLES } from './styles.js';
import type { AnyClient, TabContext, TabView } from './tab.js';
import { tablesTab } from './tables-tab.js';

export interface DevtoolsOptions {
  /** Where to render the panel (it fills the element). Default: a panel fixed to the viewport's bottom. */
  container?: HTMLElement | undefined;
  /** Open at once (default true); closed, a floating panel leaves a small button to reopen it. */
  open?: boolean | undefined;
}

export interface DevtoolsHandle {
  open(): void;
  close(): void;
  toggle(): void;
  /** Removes the panel and every listener it added; the handle does nothing afterwards. */
  destroy(): void;
}

const TABS = {
  tables: { label: 'Tables', create: tablesTab },
  outbox: { label: 'Outbox', create: outboxTab },
  resources: { label: 'Resources', create: resourcesTab },
  network: { label: 'Network', create: networkTab },
  schema: { label: 'Schema', create: schemaTab },
} satisfies Record<string, { label: string; create: (ctx: TabContext) => TabView }>;

type TabID = keyof typeof TABS;

const DEFAULT_HEIGHT = 320;
const MIN_HEIGHT = 120;

/**
 * Mounts the devtools panel for `client`: tabs for tables, outbox, resources, network and schema, a
 * switch to simulate offline, and an export of all data as JSON. It renders in a shadow root (its
 * styles stay inside) and follows the client only while open.
 */
export function mountDevtools(client: AnyClient, options: DevtoolsOptions = {}): DevtoolsHandle {
  const container = options.container;
  const doc = container?.ownerDocument ?? document;
  const win: Window = doc.defaultView ?? window;
  const source = client.inspect();
  const ctx: TabContext = { doc, client, source };

  const host = doc.createElement('div');
  host.setAttribute('data-sssync-devtools', '');
  host.setAttribute(container ? 'data-contained' : 'data-floating', '');
  const root = host.attachShadow({ mode: 'open' });

  let isOpen = false;
  let destroyed = false;
  let active: TabID = 'tables';
  let view: TabView | undefined;
  let height = DEFAULT_HEIGHT;
  let stopSource: (() => void) | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let stopDrag: (() => void) | undefined;
  let exportError: string | undefined;

  const tabButtons = new Map<TabID, { button: HTMLButtonElement; count: HTMLSpanElement }>();
  const nav = h(doc, 'nav', { role: 'tablist' });
  for (const id of Object.keys(TABS) as TabID[]) {
    const count = h(doc, 'span', { class: 'count' });
    const button = h(
      doc,
      'button',
      { role: 'tab', 'data-tab': id, onclick: () => show(id) },
      TABS[id].label,
      id === 'schema' ? null : count,
    );
    tabButtons.set(id, { button, count });
    nav.append(button);
  }
  const statusBox = h(doc, 'span', { class: 'status', 'aria-live': 'polite' });
  const offline = h(doc, 'input', {
    type: 'checkbox',
    'data-action': 'offline',
    onchange: () => source.setSimulatedOffline(offline.checked),
  });
  const offlineLabel = h(doc, 'label', { class: 'switch' }, offline, 'Offline');
  const exportButton = h(
    doc,
    'button',
    {
      class: 'toolbar-btn',
      'data-action': 'export',
      title: 'Download every row and pending mutation as JSON',
      onclick: () => {
        exportButton.disabled = true;
        exportError = undefined;
        downloadExport(doc, client, root)
          .catch((e) => {
            exportError = (e as Error).message;
          })
          .finally(() => {
            exportButton.disabled = false;
            renderHeader();
          });
      },
    },
    'Export JSON',
  );
  const content = h(doc, 'div', { class: 'body' });
  const resize = container
    ? null
    : h(doc, 'div', { class: 'resize', title: 'Drag to resize', onpointerdown: (e) => startDrag(e) });
  const panel = h(
    doc,
    'div',
    { class: 'panel', role: 'region', 'aria-label': 'SSSync devtools' },
    resize,
    h(
      doc,
      'header',
      {},
      h(doc, 'span', { class: 'brand' }, 'SSSync', h(doc, 'small', {}, client.id)),
      nav,
      h(doc, 'span', { class: 'spacer' }),
      statusBox,
      offlineLabel,
      exportButton,
      h(
        doc,
        'button',
        { class: 'close', title: 'Close devtools', 'data-action': 'close', onclick: close },
        '×',
      ),
    ),
    content,
  );
  const launcher = container
    ? null
    : h(doc, 'button', { class: 'launcher', 'data-action': 'launch', onclick: () => open() }, 'SSSync');
  root.append(h(doc, 'style', {}, STYLES), panel);
  if (launcher) root.append(launcher);
  (container ?? doc.body).appendChild(host);

  function startDrag(e: Event): void {
    const start = (e as PointerEvent).clientY;
    const from = height;
    e.preventDefault();
    const move = (m: Event) => {
      const max = Math.max(MIN_HEIGHT, win.innerHeight - 40);
      height = Math.min(max, Math.max(MIN_HEIGHT, from + start - (m as PointerEvent).clientY));
      layout();
    };
    const up = () => stopDrag?.();
    win.addEventListener('pointermove', move);
    win.addEventListener('pointerup', up);
    stopDrag = () => {
      win.removeEventListener('pointermove', move);
      win.removeEventListener('pointerup', up);
      stopDrag = undefined;
    };
  }

  function layout(): void {
    panel.hidden = !isOpen;
    if (launcher) launcher.hidden = isOpen;
    if (!container) host.style.height = isOpen ? `${height}px` : '0px';
  }

  function show(id: TabID): void {
    active = id;
    for (const [tid, { button }] of tabButtons) button.setAttribute('aria-selected', String(tid === id));
    view?.destroy();
    view = isOpen ? TABS[id].create(ctx) : undefined;
    fill(content, view?.element);
    renderHeader();
  }

  /** Coalesces a burst of changes (a pull of 1,000 rows) into one render. */
  function schedule(): void {
    if (pending !== undefined || !isOpen) return;
    pending = setTimeout(() => {
      pending = undefined;
      if (!isOpen) return;
      renderHeader();
      view?.update();
    }, 16);
  }

  function renderHeader(): void {
    const s = source.status();
    const role = source.role;
    const parts = [
      badge(doc, s.online ? 'online' : 'offline', s.online ? 'ok' : 'bad'),
      source.simulatedOffline ? badge(doc, 'simulated', 'warn') : null,
      s.pushing ? badge(doc, 'pushing', 'info') : null,
      s.pulling ? badge(doc, 'pulling', 'info') : null,
      s.updateNeeded ? badge(doc, 'update needed', 'bad') : null,
      badge(doc, `${s.pending} pending`, s.pending > 0 ? 'warn' : 'muted'),
      badge(doc, role, role === 'leader' ? 'purple' : 'muted'),
    ];
    if (exportError) {
      const err = badge(doc, 'export failed', 'bad');
      err.title = exportError;
      parts.push(err);
    }
    if (s.lastError) {
      const err = badge(doc, s.lastError.code, 'bad');
      err.title = s.lastError.message;
      parts.push(err);
    }
    fill(
      statusBox,
      parts.flatMap((p) => (p ? [p, ' '] : [])),
    );
    offline.checked = source.simulatedOffline;
    const follower = role === 'follower';
    offline.disabled = follower;
    offlineLabel.classList.toggle('disabled', follower);
    offlineLabel.title = follower
      ? 'This tab follows another tab, which makes the requests: simulate offline in that tab.'
      : 'Stop all requests; writes stay queued. Turning it off syncs at once.';
    const outbox = source.outbox();
    const rejected = outbox.filter((m) => m.status === 'rejected').length;
    const queued = outbox.filter((m) => m.status === 'pending' || m.status === 'sent').length;
    const counts: Partial<Record<TabID, [number, string]>> = {
      tables: [source.tables().reduce((n, t) => n + t.count, 0), ''],
      outbox: [queued + rejected, rejected > 0 ? 'bad' : queued > 0 ? 'warn' : ''],
      resources: [source.resources().length, ''],
      network: [source.exchanges().length, ''],
    };
    for (const [id, { count }] of tabButtons) {
      const c = counts[id];
      if (!c) continue;
      count.textContent = String(c[0]);
      count.className = `count ${c[1]}`;
    }
  }

  function open(): void {
    if (destroyed || isOpen) return;
    isOpen = true;
    layout();
    stopSource = source.subscribe(schedule);
    // Relative times ("3s ago") move on, and resources come and go without a sync event.
    ticker = setInterval(schedule, 1000);
    show(active);
  }

  function close(): void {
    if (destroyed || !isOpen) return;
    isOpen = false;
    stopSource?.();
    stopSource = undefined;
    clearInterval(ticker);
    clearTimeout(pending);
    pending = undefined;
    stopDrag?.();
    view?.destroy();
    view = undefined;
    fill(content);
    layout();
  }

  if (options.open ?? true) open();
  else layout();

  return {
    open,
    close,
    toggle: () => (isOpen ? close() : open()),
    destroy: () => {
      if (destroyed) return;
      close();
      destroyed = true;
      host.remove();
    },
  };
}
