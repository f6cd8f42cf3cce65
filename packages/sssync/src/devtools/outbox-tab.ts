import type { OutboxItem } from '../client/inspector.js';
import { badge, fill, h, table } from './dom.js';
import { clock, json } from './format.js';
import type { TabContext, TabView } from './tab.js';

export const STATUS_TONE: Readonly<Record<OutboxItem['status'], string>> = {
  pending: 'warn',
  sent: 'info',
  confirmed: 'ok',
  rejected: 'bad',
};

/** Rows rendered at most: an outbox of 10,000 offline writes shows its newest. */
const MAX_SHOWN = 500;

/** Every queued mutation and the recently settled ones, newest first; rejected ones keep their reason. */
export function outboxTab({ doc, source }: TabContext): TabView {
  const summary = h(doc, 'span', { class: 'summary' });
  const note = h(doc, 'span', { class: 'note' });
  const body = h(doc, 'tbody');
  const element = h(
    doc,
    'div',
    { class: 'pane', 'data-tab-content': 'outbox' },
    h(
      doc,
      'div',
      { class: 'toolbar' },
      summary,
      note,
      h(doc, 'span', { class: 'spacer' }),
      h(
        doc,
        'button',
        { class: 'btn', title: 'Forget confirmed and rejected mutations', onclick: () => source.clear() },
        'Clear settled',
      ),
    ),
    h(
      doc,
      'div',
      { class: 'scroll' },
      table(
        doc,
        [h(doc, 'th', { class: 'num' }, 'id'), 'mutation', 'args', 'status', 'error', 'queued at'],
        body,
      ),
    ),
  );

  function errorBadge(code: string): HTMLElement {
    const b = badge(doc, code, 'bad');
    b.dataset.errorCode = code;
    return b;
  }

  function update(): void {
    const items = source.outbox();
    const counts = { pending: 0, sent: 0, confirmed: 0, rejected: 0 };
    for (const m of items) counts[m.status]++;
    summary.textContent = `${counts.pending} pending · ${counts.sent} sent · ${counts.confirmed} confirmed · ${counts.rejected} rejected`;
    note.textContent =
      source.role === 'follower'
        ? 'This tab follows another tab, which syncs: showing the mutations made in this tab.'
        : '';
    fill(
      body,
      items.length === 0
        ? h(doc, 'tr', {}, h(doc, 'td', { class: 'empty', colspan: 6 }, 'No mutations queued'))
        : items
            .slice(-MAX_SHOWN)
            .reverse()
            .map((m) => {
              const args = json(m.args);
              return h(
                doc,
                'tr',
                { class: m.status, 'data-mutation-id': m.id },
                h(doc, 'td', { class: 'num' }, m.id),
                h(doc, 'td', {}, m.name),
                h(doc, 'td', { title: args.full }, h(doc, 'span', { class: 'v-obj' }, args.text)),
                h(doc, 'td', {}, badge(doc, m.status, STATUS_TONE[m.status])),
                h(
                  doc,
                  'td',
                  { class: 'wrap', title: m.error?.message },
                  m.error
                    ? [
                        errorBadge(m.error.code),
                        m.error.serverCode ? ` ${m.error.serverCode}` : '',
                        ' ',
                        h(doc, 'span', { class: 'error-text' }, m.error.message),
                      ]
                    : '',
                ),
                h(doc, 'td', {}, clock(m.timestamp)),
              );
            }),
      items.length > MAX_SHOWN
        ? h(
            doc,
            'tr',
            {},
            h(doc, 'td', { class: 'empty', colspan: 6 }, `and ${items.length - MAX_SHOWN} older`),
          )
        : null,
    );
  }

  update();
  return { element, update, destroy: () => {} };
}
