import type { ResourceInfo } from '../client/inspector.js';
import { badge, fill, h, table } from './dom.js';
import { ago, clock } from './format.js';
import type { TabContext, TabView } from './tab.js';

const STATUS_TONE: Readonly<Record<ResourceInfo['status'], string>> = {
  loading: 'info',
  ready: 'ok',
  error: 'bad',
  released: 'muted',
};

/** Held resources: kind, status, cursor, when they last refreshed, how often, how long they outlive release. */
export function resourcesTab({ doc, source }: TabContext): TabView {
  const body = h(doc, 'tbody');
  const note = h(doc, 'div', { class: 'note' });
  const headers = ['path', 'kind', 'status', 'cursor', 'last refresh', 'refresh', 'TTL', 'holders', 'error'];
  const element = h(
    doc,
    'div',
    { class: 'pane', 'data-tab-content': 'resources' },
    note,
    h(doc, 'div', { class: 'scroll' }, table(doc, headers, body)),
  );

  function update(): void {
    const list = source.resources();
    note.textContent =
      source.role === 'follower'
        ? 'This tab follows another tab, which holds and syncs resources: showing the ones this tab asked for (cursors live in the leader).'
        : `${list.length} resource${list.length === 1 ? '' : 's'}`;
    const now = Date.now();
    fill(
      body,
      list.length === 0
        ? h(doc, 'tr', {}, h(doc, 'td', { class: 'empty', colspan: headers.length }, 'No resources held'))
        : list.map((r) => {
            const waiting = r.kind === 'temporary' && r.holders === 0;
            return h(
              doc,
              'tr',
              { 'data-path': r.path },
              h(doc, 'td', {}, r.path),
              h(doc, 'td', {}, badge(doc, r.kind, r.kind === 'persist' ? 'purple' : 'teal')),
              h(
                doc,
                'td',
                {},
                badge(doc, r.status, STATUS_TONE[r.status]),
                waiting ? [' ', badge(doc, 'released, in TTL', 'muted')] : '',
              ),
              h(
                doc,
                'td',
                { title: r.cursor ?? '' },
                r.cursor === undefined
                  ? h(doc, 'span', { class: 'v-null' }, 'in leader')
                  : r.cursor === null
                    ? h(doc, 'span', { class: 'v-null' }, 'null (full load)')
                    : r.cursor,
              ),
              h(
                doc,
                'td',
                { title: r.lastRefreshAt === null ? '' : new Date(r.lastRefreshAt).toISOString() },
                r.lastRefreshAt === null
                  ? 'never'
                  : `${clock(r.lastRefreshAt)} (${ago(r.lastRefreshAt, now)})`,
              ),
              h(doc, 'td', { class: 'num' }, r.refreshSeconds === undefined ? '—' : `${r.refreshSeconds}s`),
              h(doc, 'td', { class: 'num' }, r.ttlSeconds === undefined ? '—' : `${r.ttlSeconds}s`),
              h(doc, 'td', { class: 'num' }, r.holders ?? '—'),
              h(
                doc,
                'td',
                { class: 'wrap', title: r.error?.message },
                r.error ? [badge(doc, r.error.code, 'bad'), ' ', r.error.message] : '',
              ),
            );
          }),
    );
  }

  update();
  return { element, update, destroy: () => {} };
}
