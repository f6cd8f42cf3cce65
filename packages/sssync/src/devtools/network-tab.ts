import { badge, fill, h, table } from './dom.js';
import { bytes, clock } from './format.js';
import type { TabContext, TabView } from './tab.js';

const tone = (status: number) => (status === 0 ? 'bad' : status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad');

/** The push and pull requests, newest first: sizes, status code (or why it failed), timing. */
export function networkTab({ doc, source }: TabContext): TabView {
  const summary = h(doc, 'span', { class: 'summary' });
  const body = h(doc, 'tbody');
  const headers = ['#', 'time', 'kind', 'status', 'sent', 'received', 'ms', 'url'];
  const element = h(
    doc,
    'div',
    { class: 'pane', 'data-tab-content': 'network' },
    h(
      doc,
      'div',
      { class: 'toolbar' },
      summary,
      h(doc, 'span', { class: 'spacer' }),
      h(doc, 'button', { class: 'btn', onclick: () => source.clear() }, 'Clear'),
    ),
    h(
      doc,
      'div',
      { class: 'scroll' },
      table(
        doc,
        headers.map((t, i) => (i === 0 || (i >= 4 && i <= 6) ? h(doc, 'th', { class: 'num' }, t) : t)),
        body,
      ),
    ),
  );

  function update(): void {
    const log = source.exchanges();
    let sent = 0;
    let received = 0;
    for (const x of log) {
      sent += x.requestBytes;
      received += x.responseBytes;
    }
    summary.textContent = `${log.length} request${log.length === 1 ? '' : 's'} · ${bytes(sent)} sent · ${bytes(received)} received${source.role === 'follower' ? ' · requests are made by the leader tab' : ''}`;
    fill(
      body,
      log.length === 0
        ? h(doc, 'tr', {}, h(doc, 'td', { class: 'empty', colspan: headers.length }, 'No requests yet'))
        : [...log]
            .reverse()
            .map((x) =>
              h(
                doc,
                'tr',
                { 'data-kind': x.kind },
                h(doc, 'td', { class: 'num' }, x.seq),
                h(doc, 'td', {}, clock(x.at)),
                h(doc, 'td', {}, badge(doc, x.kind, x.kind === 'push' ? 'purple' : 'teal')),
                h(
                  doc,
                  'td',
                  { title: x.error },
                  badge(doc, x.status === 0 ? 'failed' : String(x.status), tone(x.status)),
                ),
                h(doc, 'td', { class: 'num', 'data-bytes': x.requestBytes }, bytes(x.requestBytes)),
                h(doc, 'td', { class: 'num', 'data-bytes': x.responseBytes }, bytes(x.responseBytes)),
                h(doc, 'td', { class: 'num' }, x.ms),
                h(
                  doc,
                  'td',
                  { title: x.error ? `${x.url}: ${x.error}` : x.url },
                  x.url,
                  x.error ? h(doc, 'span', { class: 'error-text' }, ` ${x.error}`) : null,
                ),
              ),
            ),
    );
  }

  update();
  return { element, update, destroy: () => {} };
}
