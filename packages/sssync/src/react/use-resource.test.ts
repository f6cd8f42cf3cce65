// @vitest-environment happy-dom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { createElement, StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResourceHandle } from '../sync/resources.js';
import { makeClient, makeServer } from '../test/sync-fixture.js';
import {
  type HeldResource,
  type ResourceRequest,
  SSSyncProvider,
  useQuery,
  useResource,
  useSSSync,
} from './index.js';

type Client = ReturnType<typeof makeClient>['client'];

afterEach(cleanup);

/** Wraps `persist`/`temporary` to count the handles held (acquired and not yet released). */
function countHolds(client: Client) {
  const counts = { acquired: 0, held: 0 };
  const track = (handle: ResourceHandle): ResourceHandle => {
    counts.acquired++;
    counts.held++;
    const release = handle.release;
    handle.release = () => {
      counts.held--;
      release();
    };
    return handle;
  };
  const persist = client.persist.bind(client);
  const temporary = client.temporary.bind(client);
  client.persist = (path, opts) => track(persist(path, opts));
  client.temporary = (path, opts) => track(temporary(path, opts));
  return counts;
}

function Holder(props: { request: ResourceRequest; seen?: HeldResource[] }) {
  const held = useResource(props.request);
  props.seen?.push(held);
  return createElement(
    'p',
    { 'data-testid': 'status' },
    `${held.status}${held.error ? `:${held.error.code}` : ''}`,
  );
}

function Shelves() {
  const shelves = useQuery(useSSSync<Client>().query.shelves.orderBy('name'));
  return createElement('p', { 'data-testid': 'shelves' }, shelves.map((s) => s.name).join(',') || 'none');
}

const inProvider = (client: Client, ...children: ReturnType<typeof createElement>[]) =>
  createElement(SSSyncProvider, { client }, ...children);

describe('useResource', () => {
  it('acquires a temporary resource once the client is ready and releases it on unmount', async () => {
    const server = makeServer();
    server.write('shelves', { id: 's1', name: 'Fiction' });
    const { client } = makeClient(server, { temporaryTTLSeconds: 0 });
    const holds = countHolds(client);
    const request = { path: '/shelves', temporary: true, refreshSeconds: 60 };
    const holder = render(inProvider(client, createElement(Holder, { request })));
    render(inProvider(client, createElement(Shelves)));
    expect(screen.getByTestId('status').textContent).toBe('loading'); // the client is still starting
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('ready'));
    await waitFor(() => expect(screen.getByTestId('shelves').textContent).toBe('Fiction'));
    expect(holds).toEqual({ acquired: 1, held: 1 });
    holder.unmount();
    expect(holds).toEqual({ acquired: 1, held: 0 });
    // Released with a TTL of 0: the temporary rows leave the client.
    await waitFor(() => expect(screen.getByTestId('shelves').textContent).toBe('none'));
  });

  it('keeps one hold while each render passes an equal request, and refreshes on demand', async () => {
    const server = makeServer();
    server.write('books', { id: 'b1', owner: 'alice', title: 'Dune', pages: 412 });
    const { client } = makeClient(server);
    await client.ready;
    const holds = countHolds(client);
    const seen: HeldResource[] = [];
    const element = () =>
      inProvider(
        client,
        createElement(Holder, { request: { path: '/books/:id', params: { id: 'b1' } }, seen }),
      );
    const view = render(element());
    await waitFor(() => expect(seen.at(-1)?.status).toBe('ready'));
    const first = seen.at(-1)!;
    expect(first.lastRefreshAt).toEqual(expect.any(Number));
    for (let i = 0; i < 3; i++) view.rerender(element());
    expect(holds).toEqual({ acquired: 1, held: 1 });
    expect(seen.at(-1)).toBe(first); // same state, same object

    server.write('books', { id: 'b1', owner: 'alice', title: 'Dune Messiah', pages: 256 });
    await act(() => first.refresh());
    expect((await client.query.books.run()).map((b) => b.title)).toEqual(['Dune Messiah']);
    view.unmount();
    expect(holds).toEqual({ acquired: 1, held: 0 });
  });

  it('a different request releases the old resource and acquires the new one', async () => {
    const server = makeServer();
    const { client } = makeClient(server);
    await client.ready;
    const holds = countHolds(client);
    const view = render(inProvider(client, createElement(Holder, { request: '/user/books' })));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('ready'));
    view.rerender(inProvider(client, createElement(Holder, { request: '/shelves' })));
    await waitFor(() => expect(holds).toEqual({ acquired: 2, held: 1 }));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('ready'));
  });

  it('shows why a resource cannot be acquired', async () => {
    const server = makeServer();
    const { client } = makeClient(server, { loaders: { '/user/books': {} } });
    render(inProvider(client, createElement(Holder, { request: '/not/declared' })));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('error:UNKNOWN_RESOURCE'));
  });

  it('under StrictMode, mounting twice holds once', async () => {
    const server = makeServer();
    const { client } = makeClient(server);
    await client.ready;
    const holds = countHolds(client);
    const view = render(
      createElement(StrictMode, null, inProvider(client, createElement(Holder, { request: '/user/books' }))),
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('ready'));
    expect(holds.held).toBe(1);
    view.unmount();
    expect(holds.held).toBe(0);
  });
});
