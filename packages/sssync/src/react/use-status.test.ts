// @vitest-environment happy-dom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MutationResult } from '../client/mutation-tracker.js';
import { SSSync } from '../client/sssync.js';
import { memoryStore } from '../store/memory-store.js';
import * as books from '../test/books-schema.js';
import { makeClient, makeServer } from '../test/sync-fixture.js';
import { SSSyncProvider, useMutationStatus, useSyncStatus } from './index.js';

afterEach(cleanup);

function Mutation(props: { result: MutationResult | undefined; seen: string[] }) {
  const state = useMutationStatus(props.result);
  const text = state ? `${state.status}${state.error ? `:${state.error.code}` : ''}` : 'none';
  props.seen.push(text);
  return createElement('p', { 'data-testid': 'mutation' }, text);
}

function Status() {
  const { online, pending } = useSyncStatus();
  return createElement('p', { 'data-testid': 'status' }, `${online ? 'online' : 'offline'}:${pending}`);
}

const text = (id: string) => screen.getByTestId(id).textContent;

describe('useMutationStatus', () => {
  it('follows a mutation from pending to confirmed', async () => {
    const server = makeServer();
    const { client, fetch } = makeClient(server);
    await client.ready;
    fetch.online = false;
    const seen: string[] = [];
    const view = render(createElement(Mutation, { result: undefined, seen }));
    expect(text('mutation')).toBe('none');
    const m = client.execute.addBook('b1', 'Dune');
    view.rerender(createElement(Mutation, { result: m, seen }));
    await waitFor(() => expect(text('mutation')).toBe('pending'));
    fetch.online = true;
    await waitFor(() => expect(text('mutation')).toBe('confirmed'));
    expect(seen.filter((s, i) => s !== seen[i - 1])).toEqual(['none', 'applying', 'pending', 'confirmed']);
  });

  it('shows a rejection and its reason', async () => {
    const server = makeServer();
    const { client } = makeClient(server);
    await client.ready;
    await client.execute.addBook('b1', 'Dune').confirmed;
    const m = client.execute.renameBook('b1', '!nope');
    render(createElement(Mutation, { result: m, seen: [] }));
    await waitFor(() => expect(text('mutation')).toBe('rejected:SERVER_REJECTED'));
  });

  it('shows a mutation that never ran as failed', async () => {
    const client = new SSSync('react', {
      schema: books.schema,
      mutators: books.mutators,
      store: memoryStore(),
    });
    const m = client.execute.failing('x');
    m.catch(() => {});
    render(createElement(Mutation, { result: m, seen: [] }));
    await waitFor(() => expect(text('mutation')).toBe('failed:MUTATOR_FAILED'));
  });
});

describe('useSyncStatus', () => {
  it('follows the pending count and the connection', async () => {
    const server = makeServer();
    const { client, fetch } = makeClient(server);
    await client.ready;
    fetch.online = false;
    render(createElement(SSSyncProvider, { client }, createElement(Status)));
    expect(text('status')).toBe('online:0');
    await act(() => client.execute.addBook('b1', 'Dune'));
    await waitFor(() => expect(text('status')).toBe('offline:1'));
    await act(() => client.execute.addBook('b2', 'Emma'));
    await waitFor(() => expect(text('status')).toBe('offline:2'));
    fetch.online = true;
    await waitFor(() => expect(text('status')).toBe('online:0'));
    expect(server.rows('books')).toHaveLength(2);
  });

  it('shows the writes a client starts with', async () => {
    const store = memoryStore();
    const options = { schema: books.schema, mutators: books.mutators, store };
    const first = new SSSync('react', options);
    await first.execute.createBook('b1', 'Kept');
    await first.execute.createBook('b2', 'Kept too');
    await first.close();
    const client = new SSSync('react', options); // no server: nothing else will announce them
    render(createElement(SSSyncProvider, { client }, createElement(Status)));
    expect(text('status')).toBe('online:0'); // not started yet
    await waitFor(() => expect(text('status')).toBe('online:2'));
  });
});
