// @vitest-environment happy-dom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { createElement, StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SSSync } from '../client/sssync.js';
import { Query } from '../query/query.js';
import { memoryStore } from '../store/memory-store.js';
import { mutators, schema } from '../test/books-schema.js';
import { SSSyncProvider, useQuery, useQueryState, useSSSync } from './index.js';

type Client = SSSync<typeof schema, typeof mutators.defs>;

const newClient = (): Client => new SSSync('react', { schema, mutators, store: memoryStore() });

/** Counts live subscriptions made through `Query#subscribe` (the hooks' only way in). */
function spySubscriptions() {
  const original = Query.prototype.subscribe;
  const counts = { made: 0, active: 0 };
  const spy = vi.spyOn(Query.prototype, 'subscribe').mockImplementation(function (this: any, listener: any) {
    counts.made++;
    counts.active++;
    const stop = original.call(this, listener);
    let stopped = false;
    return () => {
      if (!stopped) counts.active--;
      stopped = true;
      stop();
    };
  });
  return { counts, restore: () => spy.mockRestore() };
}

let spy: ReturnType<typeof spySubscriptions> | undefined;
afterEach(() => {
  cleanup();
  spy?.restore();
  spy = undefined;
});

/** Lists the titles of books with at least `min` pages; records what each render saw. */
function Titles(props: { min: number; seen: (readonly string[])[] }) {
  const sssync = useSSSync<Client>();
  const books = useQuery(sssync.query.books.where('pageCount', '>=', props.min).orderBy('title'));
  const titles = books.map((b) => b.title);
  props.seen.push(titles);
  return createElement('p', { 'data-testid': 'titles' }, titles.join(',') || 'none');
}

function BookStates(props: { seen: string[] }) {
  const { data, status } = useQueryState(useSSSync<Client>().query.books);
  props.seen.push(`${status}:${data.map((b) => b.title).join(',')}`);
  return null;
}

function Book(props: { seen: unknown[] }) {
  const book = useQuery(useSSSync<Client>().query.books.where('id', '=', 'b1').one());
  props.seen.push(book);
  return createElement('p', { 'data-testid': 'book' }, book ? `${book.title} (${book.pageCount})` : 'none');
}

function WithAuthor(props: { seen: unknown[] }) {
  const books = useQuery(useSSSync<Client>().query.books.related('author'));
  props.seen.push(books);
  return createElement('p', null, books.map((b) => `${b.title} by ${b.author?.name}`).join(','));
}

function Orphan() {
  useSSSync();
  return null;
}

const withClient = (client: Client, child: ReturnType<typeof createElement>) =>
  createElement(SSSyncProvider, { client }, child);

describe('useQuery', () => {
  it('renders the current rows at once, then follows every change', async () => {
    const client = newClient();
    await client.execute.putBook({ id: 'b1', title: 'Dune', pageCount: 412 });
    const seen: (readonly string[])[] = [];
    render(withClient(client, createElement(Titles, { min: 0, seen })));
    // A ready client's rows are in the very first render: no empty flash.
    expect(seen).toEqual([['Dune']]);
    await act(() => client.execute.createBook('b2', 'Anathem'));
    expect(screen.getByTestId('titles').textContent).toBe('Anathem,Dune');
    await act(() => client.execute.deleteBook('b1'));
    expect(screen.getByTestId('titles').textContent).toBe('Anathem');
    expect(seen).toEqual([['Dune'], ['Anathem', 'Dune'], ['Anathem']]);
  });

  it('reports loading until the client is ready', async () => {
    const store = memoryStore();
    const first = new SSSync('react', { schema, mutators, store });
    await first.execute.createBook('b1', 'Stored');
    await first.close();
    const client = new SSSync('react', { schema, mutators, store });
    const states: string[] = [];
    render(withClient(client, createElement(BookStates, { seen: states })));
    expect(states[0]).toBe('loading:');
    await waitFor(() => expect(states.at(-1)).toBe('ready:Stored'));
    expect(states.filter((s) => s !== 'loading:')).toEqual(['ready:Stored']);
  });

  it('does not re-render for changes outside its result', async () => {
    const client = newClient();
    await client.ready;
    const seen: (readonly string[])[] = [];
    render(withClient(client, createElement(Titles, { min: 10, seen })));
    await act(() => client.execute.addAuthor('a1', 'Ann')); // another table
    await act(() => client.execute.createBook('b1', 'Thin')); // 0 pages: outside the filter
    await act(() => client.execute.setPageCount('b1', 5)); // still outside
    expect(seen).toEqual([[]]);
    await act(() => client.execute.setPageCount('b1', 50));
    expect(seen).toEqual([[], ['Thin']]);
    await act(() => client.execute.createBook('b2', 'Other')); // outside again
    expect(seen).toHaveLength(2);
  });

  it('keeps one subscription while each render builds an equal query, and ends it on unmount', async () => {
    const client = newClient();
    await client.ready;
    spy = spySubscriptions();
    const seen: (readonly string[])[] = [];
    const view = render(withClient(client, createElement(Titles, { min: 10, seen })));
    const made = spy.counts.made;
    expect(spy.counts.active).toBe(1);
    for (let i = 0; i < 5; i++) view.rerender(withClient(client, createElement(Titles, { min: 10, seen })));
    expect(seen).toHaveLength(6);
    expect(spy.counts.made).toBe(made);
    expect(spy.counts.active).toBe(1);
    // A different query does resubscribe, and lets go of the old one.
    view.rerender(withClient(client, createElement(Titles, { min: 20, seen })));
    expect(spy.counts.made).toBeGreaterThan(made);
    expect(spy.counts.active).toBe(1);
    await act(() => client.execute.putBook({ id: 'b1', title: 'Long', pageCount: 30 }));
    expect(screen.getByTestId('titles').textContent).toBe('Long');
    view.unmount();
    expect(spy.counts.active).toBe(0);
  });

  it('tells queries apart that JSON would not (Infinity is not -Infinity)', async () => {
    const client = newClient();
    await client.execute.putBook({ id: 'b1', title: 'Dune', pageCount: 412 });
    const seen: (readonly string[])[] = [];
    const view = render(withClient(client, createElement(Titles, { min: Number.NEGATIVE_INFINITY, seen })));
    expect(screen.getByTestId('titles').textContent).toBe('Dune');
    view.rerender(withClient(client, createElement(Titles, { min: Number.POSITIVE_INFINITY, seen })));
    expect(screen.getByTestId('titles').textContent).toBe('none');
  });

  it('gives one row or undefined for one()', async () => {
    const client = newClient();
    await client.ready;
    const seen: unknown[] = [];
    render(withClient(client, createElement(Book, { seen })));
    expect(screen.getByTestId('book').textContent).toBe('none');
    await act(() => client.execute.createBook('b1', 'Dune'));
    expect(screen.getByTestId('book').textContent).toBe('Dune (0)');
    await act(() => client.execute.createBook('b2', 'Other'));
    await act(() => client.execute.setPageCount('b1', 412));
    expect(screen.getByTestId('book').textContent).toBe('Dune (412)');
    await act(() => client.execute.deleteBook('b1'));
    expect(screen.getByTestId('book').textContent).toBe('none');
    expect(seen).toHaveLength(4);
  });

  it('keeps related rows stable across mounts of the same query', async () => {
    const client = newClient();
    await client.execute.addAuthor('a1', 'Ann');
    await client.execute.putBook({ id: 'b1', title: 'T1', pageCount: 3, authorId: 'a1' });
    const seen: unknown[] = [];
    const view = render(withClient(client, createElement(WithAuthor, { seen })));
    expect(view.container.textContent).toBe('T1 by Ann');
    // The subscription's first result equals the one the first render showed: no second render.
    expect(seen).toHaveLength(1);
    await act(() => client.execute.addAuthor('a2', 'Bob'));
    expect(seen).toHaveLength(1);
  });

  it('under StrictMode, mounting twice leaves one subscription and unmounting none', async () => {
    const client = newClient();
    await client.ready;
    spy = spySubscriptions();
    const seen: (readonly string[])[] = [];
    const view = render(
      createElement(StrictMode, null, withClient(client, createElement(Titles, { min: 0, seen }))),
    );
    expect(spy.counts.active).toBe(1);
    await act(() => client.execute.createBook('b1', 'Dune'));
    expect(screen.getByTestId('titles').textContent).toBe('Dune');
    view.unmount();
    expect(spy.counts.active).toBe(0);
  });

  it('useSSSync outside a provider says what is missing', () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(createElement(Orphan))).toThrow(/SSSyncProvider/);
    quiet.mockRestore();
  });
});
