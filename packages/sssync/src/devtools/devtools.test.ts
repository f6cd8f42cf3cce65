// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SSSync } from '../client/sssync.js';
import { memoryStore } from '../store/memory-store.js';
import * as books from '../test/books-schema.js';
import { eventually, makeClient, makeServer } from '../test/sync-fixture.js';
import { mountDevtools } from './index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

function setup(opts: Parameters<typeof makeClient>[1] = {}) {
  const server = makeServer();
  const made = makeClient(server, opts);
  cleanups.push(() => made.client.close());
  return { server, ...made };
}

function mount(client: Parameters<typeof mountDevtools>[0], options?: Parameters<typeof mountDevtools>[1]) {
  const handle = mountDevtools(client, options);
  cleanups.push(() => handle.destroy());
  const host = (options?.container ?? document.body).querySelector<HTMLElement>('[data-sssync-devtools]')!;
  const root = host.shadowRoot!;
  const $ = <E extends Element = HTMLElement>(selector: string) => root.querySelector<E>(selector);
  const $$ = (selector: string) => [...root.querySelectorAll<HTMLElement>(selector)];
  const tab = (id: string) => $(`nav [data-tab="${id}"]`)!.click();
  return { handle, host, root, $, $$, tab };
}

/** The client's internals the panel may subscribe to, to prove it lets go of them. */
function listenerCounts(client: SSSync<any, any>) {
  const c = client as unknown as {
    replica: { live: { size: number } };
    inspector: { listeners: Set<unknown> };
    engine: { status: { listeners: Set<unknown> } };
  };
  return {
    liveQueries: c.replica.live.size,
    inspector: c.inspector.listeners.size,
    status: c.engine.status.listeners.size,
  };
}

const select = (el: HTMLSelectElement | null, value: string) => {
  el!.value = value;
  el!.dispatchEvent(new Event('change'));
};

describe('mountDevtools', () => {
  it('mounts a panel in a shadow root and removes it, and every listener, on destroy', async () => {
    const { client } = setup();
    await client.ready;
    const before = listenerCounts(client);
    const children = document.body.children.length;
    const addWindow = vi.spyOn(window, 'addEventListener');
    const removeWindow = vi.spyOn(window, 'removeEventListener');

    const { handle, host, $, $$ } = mount(client);
    expect(document.body.children.length).toBe(children + 1);
    expect(host.parentElement).toBe(document.body);
    expect(host.hasAttribute('data-floating')).toBe(true);
    expect($$('nav [data-tab]').map((b) => b.textContent?.replace(/\d+$/, ''))).toEqual([
      'Tables',
      'Outbox',
      'Resources',
      'Network',
      'Schema',
    ]);
    // The panel's styles live in its shadow root, not in the document.
    expect(document.querySelectorAll('style').length).toBe(0);
    expect($('style')?.textContent).toContain('.panel');
    // The status subscription starts once the client is ready (a microtask later).
    await eventually(() => expect(listenerCounts(client).status).toBe(before.status + 1));
    const during = listenerCounts(client);
    expect(during.inspector).toBe(before.inspector + 1);
    expect(during.liveQueries).toBe(before.liveQueries + 1); // the table browser's query

    // Dragging the resize handle listens on the window until the pointer is released (or destroy).
    $('.resize')!.dispatchEvent(new PointerEvent('pointerdown', { clientY: 500 }));
    window.dispatchEvent(new PointerEvent('pointermove', { clientY: 300 }));
    expect(host.style.height).toBe('520px');
    expect(addWindow.mock.calls.map((c) => c[0]).sort()).toEqual(['pointermove', 'pointerup']);

    handle.close();
    expect($('.panel')!.hidden).toBe(true);
    expect($('.launcher')!.hidden).toBe(false);
    expect(listenerCounts(client)).toEqual(before);
    expect(removeWindow.mock.calls.map((c) => c[0]).sort()).toEqual(['pointermove', 'pointerup']);
    $('.launcher')!.click();
    expect($('.panel')!.hidden).toBe(false);
    await eventually(() => expect(listenerCounts(client)).toEqual(during));
    handle.toggle();
    expect($('.panel')!.hidden).toBe(true);
    handle.toggle();

    handle.destroy();
    expect(document.body.children.length).toBe(children);
    expect(document.querySelector('[data-sssync-devtools]')).toBeNull();
    expect(listenerCounts(client)).toEqual(before);
    handle.open();
    handle.destroy();
    expect(listenerCounts(client)).toEqual(before);
  });

  it('renders into a container, starting closed when asked', async () => {
    const { client } = setup();
    await client.ready;
    const container = document.createElement('div');
    document.body.append(container);
    cleanups.push(() => container.remove());
    const before = listenerCounts(client);
    const { handle, host, $ } = mount(client, { container, open: false });
    expect(host.parentElement).toBe(container);
    expect($('.panel')!.hidden).toBe(true);
    expect($('.launcher')).toBeNull();
    expect(listenerCounts(client)).toEqual(before);
    handle.open();
    expect($('.panel')!.hidden).toBe(false);
    $('[data-action="close"]')!.click();
    expect($('.panel')!.hidden).toBe(true);
    handle.destroy();
    expect(container.children.length).toBe(0);
  });
});

describe('tables', () => {
  it('shows rows per table, narrows them with a where filter, and follows changes live', async () => {
    const { client, fetch } = setup();
    await client.ready;
    fetch.online = false;
    for (let i = 0; i < 30; i++) await client.execute.addBook(`b${i}`, `Book ${i}`);
    for (let i = 0; i < 30; i++) await client.execute.setPages(`b${i}`, i);
    const { $, $$ } = mount(client);
    const rows = () => $$('tbody tr[data-row-id]').map((r) => r.dataset.rowId);

    await eventually(() => expect(rows()).toHaveLength(30));
    await eventually(() => expect($('[data-table="books"] .count')!.textContent).toBe('30'));
    expect($('[data-table="shelves"] .count')!.textContent).toBe('0');
    expect($$('thead th').map((th) => th.dataset.column)).toEqual(['id', 'owner', 'title', 'pages']);

    select($('select[aria-label="filter column"]'), 'pages');
    select($('select[aria-label="filter operator"]'), '>=');
    $<HTMLInputElement>('input[aria-label="filter value"]')!.value = '25';
    $('[data-action="filter"]')!.click();
    await eventually(() => expect(rows().sort()).toEqual(['b25', 'b26', 'b27', 'b28', 'b29']));
    expect($('.row-info')!.textContent).toBe('1–5 of 5 rows');

    // Live: a row entering the filter's range shows up, one leaving it goes.
    await client.execute.setPages('b3', 100);
    await client.execute.setPages('b29', 1);
    await eventually(() => expect(rows().sort()).toEqual(['b25', 'b26', 'b27', 'b28', 'b3']));

    // Sorting by a header uses the query's orderBy.
    $('th[data-column="pages"]')!.click();
    await eventually(() => expect(rows()).toEqual(['b25', 'b26', 'b27', 'b28', 'b3']));
    $('th[data-column="pages"]')!.click();
    await eventually(() => expect(rows()).toEqual(['b3', 'b28', 'b27', 'b26', 'b25']));

    // `in` takes a list; a value of the wrong type is reported, not run.
    select($('select[aria-label="filter column"]'), 'id');
    select($('select[aria-label="filter operator"]'), 'in');
    $<HTMLInputElement>('input[aria-label="filter value"]')!.value = 'b1, b2';
    $('[data-action="filter"]')!.click();
    await eventually(() => expect(rows().sort()).toEqual(['b1', 'b2']));
    select($('select[aria-label="filter column"]'), 'pages');
    select($('select[aria-label="filter operator"]'), '=');
    $<HTMLInputElement>('input[aria-label="filter value"]')!.value = 'many';
    $('[data-action="filter"]')!.click();
    expect($('[role="alert"]')!.textContent).toBe('"many" is not a number.');
    expect(rows().sort()).toEqual(['b1', 'b2']);

    $('[data-action="clear-filter"]')!.click();
    await eventually(() => expect(rows()).toHaveLength(30));
    $('[data-table="shelves"]')!.click();
    await eventually(() => expect($('tbody')!.textContent).toBe('No rows'));
  });

  it('pages through 10,000 rows, rendering one page at a time', async () => {
    const big = Array.from({ length: 10_000 }, (_, i) => ({
      id: `b${String(i).padStart(5, '0')}`,
      owner: 'alice',
      title: `Book ${i}`,
      pages: i,
    }));
    const { client } = setup({ loaders: { '/big': async () => ({ books: big }) } });
    await client.ready;
    await client.persist('/big').ready;
    const { $, $$ } = mount(client);
    await eventually(() => expect($('.row-info')!.textContent).toBe('1–100 of 10000 rows'));
    expect($$('tbody tr[data-row-id]')).toHaveLength(100);
    expect($<HTMLButtonElement>('[aria-label="previous page"]')!.disabled).toBe(true);
    $('[aria-label="next page"]')!.click();
    expect($('.row-info')!.textContent).toBe('101–200 of 10000 rows');
    expect($$('tbody tr[data-row-id]')[0]!.dataset.rowId).toBe('b00100');
    expect($$('tbody tr[data-row-id]')).toHaveLength(100);
  });
});

describe('outbox', () => {
  it('lists pending mutations, then keeps a rejected one visible with its error code', async () => {
    const { client, fetch } = setup();
    await client.ready;
    await client.execute.addBook('b1', 'Dune').confirmed;
    fetch.online = false;
    const { $, $$, tab } = mount(client);
    tab('outbox');
    const m = client.execute.renameBook('b1', '!nope');
    await m;
    const row = () => $(`tr[data-mutation-id="${m.id}"]`);
    await eventually(() => expect(row()?.textContent).toContain('pending'));
    expect(row()!.textContent).toContain('renameBook');
    expect(row()!.textContent).toContain('["b1","!nope"]');
    expect($('nav [data-tab="outbox"] .count')!.textContent).toBe('1');

    fetch.online = true;
    await m.confirmed.catch(() => {});
    await eventually(() => expect(row()?.classList.contains('rejected')).toBe(true));
    expect(row()!.querySelector('[data-error-code]')!.textContent).toBe('SERVER_REJECTED');
    // The server's own code, and the message (the reference server does not echo the mutator's error).
    expect(row()!.textContent).toContain('MUTATOR_FAILED');
    expect(row()!.textContent).toContain(`The server rejected mutation ${m.id}`);
    expect($('nav [data-tab="outbox"] .count')!.className).toContain('bad');
    // It stays after later syncs.
    await client.execute.addBook('b2', 'Emma').confirmed;
    await client.sync();
    await eventually(() =>
      expect($$('tbody tr').map((r) => r.querySelector('.badge')?.textContent)).toEqual([
        'confirmed',
        'rejected',
        'confirmed',
      ]),
    );
    expect(row()!.textContent).toContain('SERVER_REJECTED');
    $('.toolbar .btn')!.click(); // Clear settled
    await eventually(() => expect($('tbody')!.textContent).toBe('No mutations queued'));
  });
});

describe('outbox in flight', () => {
  it('shows the mutations of a push under way as sent', async () => {
    const server = makeServer();
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const { client } = setup({
      fetch: async (url, init) => {
        if (url.endsWith('/push')) await gate;
        return server.fetch(url, init);
      },
    });
    await client.ready;
    const { $, tab } = mount(client);
    tab('outbox');
    const m = client.execute.addBook('b1', 'Dune');
    await m;
    const status = () => $(`tr[data-mutation-id="${m.id}"] .badge`)?.textContent;
    await eventually(() => expect(status()).toBe('sent'));
    open();
    await m.confirmed;
    await eventually(() => expect(status()).toBe('confirmed'));
  });
});

describe('resources and network', () => {
  it('lists resources with cursor and refresh time, and every push and pull with sizes', async () => {
    const { client } = setup();
    await client.ready;
    const held = client.persist('/user/books');
    await held.ready;
    const temp = client.temporary('/shelves', { refreshSeconds: 30 });
    await temp.ready;
    await client.execute.addBook('b1', 'Dune').confirmed;
    await client.sync();
    const { $, $$, tab } = mount(client);

    tab('resources');
    await eventually(() => expect($$('tr[data-path]')).toHaveLength(2));
    const persisted = $('tr[data-path="/user/books"]')!;
    expect(persisted.textContent).toContain('persist');
    expect(persisted.textContent).toContain('ready');
    expect(persisted.textContent).toMatch(/\d+s ago/);
    const cursor = (client
      .inspect()
      .resources()
      .find((r) => r.path === '/user/books')?.cursor ?? '') as string;
    expect(cursor).not.toBe('');
    expect(persisted.textContent).toContain(cursor);
    const temporary = $('tr[data-path="/shelves"]')!;
    expect(temporary.textContent).toContain('temporary');
    expect(temporary.textContent).toContain('30s'); // refreshSeconds
    temp.release();
    await eventually(() => expect($('tr[data-path="/shelves"]')!.textContent).toContain('released, in TTL'));

    tab('network');
    await eventually(() => expect($$('tr[data-kind="push"]').length).toBeGreaterThan(0));
    expect($$('tr[data-kind="pull"]').length).toBeGreaterThan(0);
    for (const r of $$('tr[data-kind]')) {
      const [sent, received] = [...r.querySelectorAll<HTMLElement>('[data-bytes]')].map((c) =>
        Number(c.dataset.bytes),
      );
      expect(sent).toBeGreaterThan(0);
      expect(received).toBeGreaterThan(0);
      expect(r.textContent).toContain('200');
      expect(r.textContent).toContain('http://test/sync/');
    }
    const pushes = $$('tr[data-kind="push"]').length;
    await client.execute.addBook('b2', 'Emma').confirmed;
    await eventually(() => expect($$('tr[data-kind="push"]').length).toBe(pushes + 1));
  });

  it('logs a request that got no answer as failed', async () => {
    const { client, fetch } = setup();
    await client.ready;
    const { $, tab } = mount(client);
    tab('network');
    fetch.online = false;
    await client.execute.addBook('b1', 'Dune');
    await eventually(() => expect($('tr[data-kind="push"]')?.textContent).toContain('failed'));
    expect($('tr[data-kind="push"]')!.textContent).toContain('fetch failed (offline)');
    expect(client.inspect().exchanges()[0]).toMatchObject({ kind: 'push', status: 0, responseBytes: 0 });
    fetch.online = true;
    await eventually(() => expect($('tr[data-kind]')?.textContent).toContain('200'));
  });

  it('shows the schema: tables, column types, indexes, relationships, version', async () => {
    const client = new SSSync('schema-view', {
      schema: books.schema,
      mutators: books.mutators,
      store: memoryStore(),
    });
    cleanups.push(() => client.close());
    await client.ready;
    const { $, tab } = mount(client);
    tab('schema');
    expect($('[data-schema-version]')!.textContent).toBe('1');
    const table = $('section[data-table="books"]')!;
    expect(table.querySelector('[data-column="pageCount"]')!.textContent).toContain('number');
    expect(table.querySelector('[data-column="authorId"]')!.textContent).toContain('yes');
    expect(table.textContent).toContain('indexes: (pageCount)');
    expect(table.textContent).toContain('author → one authors (books.authorId = authors.id)');
    expect($('section[data-table="authors"]')!.textContent).toContain(
      'books → many books (books.authorId = authors.id)',
    );
  });
});

describe('offline switch and export', () => {
  it('stops every request while on, keeps writes queued, and syncs at once when turned off', async () => {
    // Pulls are due every 10 ms: a switch that only paused pushes would show here.
    const { client, fetch } = setup({ pullIntervalSeconds: 0.01 });
    await client.ready;
    const books = client.persist('/user/books');
    await books.ready;
    await client.sync();
    const { $ } = mount(client);
    const offline = $<HTMLInputElement>('[data-action="offline"]')!;
    offline.checked = true;
    offline.dispatchEvent(new Event('change'));
    expect(client.status.online).toBe(false);
    await new Promise((r) => setTimeout(r, 20)); // a request under way when it was switched on
    const calls = fetch.log.length;
    const m = client.execute.addBook('b1', 'Dune');
    await m;
    await expect(client.sync()).rejects.toMatchObject({ code: 'OFFLINE' });
    await expect(books.refresh()).rejects.toMatchObject({ code: 'OFFLINE' });
    await new Promise((r) => setTimeout(r, 150));
    expect(fetch.log.length).toBe(calls);
    expect(m.status).toBe('pending');
    expect(client.pendingCount).toBe(1);
    await eventually(() => expect($('.status')!.textContent).toContain('simulated'));
    expect($('.status')!.textContent).toContain('offline');

    offline.checked = false;
    offline.dispatchEvent(new Event('change'));
    await m.confirmed;
    expect(fetch.log.length).toBeGreaterThan(calls);
    expect(fetch.log[calls]!.url).toBe('http://test/sync/push');
    await eventually(() => expect(client.pendingCount).toBe(0));
    expect(client.status.online).toBe(true);
    await eventually(() => expect($('.status')!.textContent).not.toContain('simulated'));
  });

  it('lets a request under way finish but stays offline after it', async () => {
    const server = makeServer();
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const urls: string[] = [];
    const { client } = setup({
      fetch: async (url, init) => {
        urls.push(url);
        if (url.endsWith('/push')) await gate;
        return server.fetch(url, init);
      },
    });
    await client.ready;
    const m = client.execute.addBook('b1', 'Dune');
    await m;
    await eventually(() => expect(client.status.pushing).toBe(true));
    client.inspect().setSimulatedOffline(true);
    open();
    await m.confirmed; // the server's answer to the push under way still counts
    await new Promise((r) => setTimeout(r, 50));
    expect(client.status.online).toBe(false);
    expect(urls).toEqual(['http://test/sync/push']); // and the pull it would have made waits
    client.inspect().setSimulatedOffline(false);
    await eventually(() => expect(urls).toEqual(['http://test/sync/push', 'http://test/sync/pull']));
  });

  it('is remembered through start-up and applies once the client leads', async () => {
    const { client, fetch } = setup();
    const source = client.inspect();
    source.setSimulatedOffline(true);
    await client.ready;
    await client.execute.addBook('b1', 'Dune');
    await new Promise((r) => setTimeout(r, 50));
    expect(fetch.log).toEqual([]);
    expect(client.status.online).toBe(false);
    source.setSimulatedOffline(false);
    await eventually(() => expect(client.pendingCount).toBe(0));
  });

  it('exports all data as a pretty-printed JSON download equal to client.export()', async () => {
    const { client } = setup();
    await client.ready;
    await client.execute.addBook('b1', 'Dune').confirmed;
    await client.sync();
    const blobs: Blob[] = [];
    const names: string[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:sssync-test';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(`${this.download} ${this.href}`);
    });
    const offline = client.execute.addBook('b2', 'Pending');
    client.inspect().setSimulatedOffline(true);
    await offline;
    const { $, root } = mount(client);
    $('[data-action="export"]')!.click();
    await eventually(() => expect(blobs).toHaveLength(1));
    const text = await blobs[0]!.text();
    expect(text).toContain('\n  "tables": {'); // readable, indented
    const { exportedAt, ...exported } = JSON.parse(text);
    const { exportedAt: _, ...expected } = await client.export();
    expect(exported).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(exported.pendingMutations.map((p: { name: string }) => p.name)).toEqual(['addBook']);
    expect(Date.parse(exportedAt)).not.toBeNaN();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^sssync-app-.+\.json blob:sssync-test$/);
    expect(root.querySelector('a')).toBeNull(); // the temporary link is gone
  });
});

describe('in a follower tab', () => {
  it("shows this tab's mutations with the leader's verdicts; the offline switch is the leader's", async () => {
    const server = makeServer();
    const store = memoryStore();
    const leader = makeClient(server, { store });
    cleanups.push(() => leader.client.close());
    await leader.client.ready;
    const follower = makeClient(server, { store });
    cleanups.push(() => follower.client.close());
    await follower.client.ready;
    expect(follower.client.isLeader).toBe(false);
    follower.client.persist('/user/books'); // rows stay while a resource holds them

    const { $, tab } = mount(follower.client);
    tab('outbox');
    const m = follower.client.execute.addBook('f1', 'From the follower');
    await m.confirmed;
    await eventually(() => expect($(`tr[data-mutation-id="${m.id}"]`)?.textContent).toContain('confirmed'));
    expect($('.toolbar .note')!.textContent).toContain('follows another tab');
    await eventually(() => expect($('.status')!.textContent).toContain('follower'));
    expect($<HTMLInputElement>('[data-action="offline"]')!.disabled).toBe(true);
    tab('tables');
    await eventually(() => expect($('[data-table="books"] .count')!.textContent).toBe('1'));
    expect(follower.fetch.log).toEqual([]);
  });
});
