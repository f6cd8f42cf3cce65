import { describe, expectTypeOf, it } from 'vitest';
import type { SSSync } from '../client/sssync.js';
import type { SyncStatus } from '../sync/status.js';
import type { mutators, schema } from '../test/books-schema.js';
import {
  type HeldResource,
  type MutationState,
  type QueryState,
  useMutationStatus,
  useQuery,
  useQueryState,
  useResource,
  useSSSync,
  useSyncStatus,
} from './index.js';

type Client = SSSync<typeof schema, typeof mutators.defs>;
declare const sssync: Client;

interface Book {
  readonly id: string;
  readonly title: string;
  readonly pageCount: number;
  readonly authorId: string | null;
}

describe('react hook types', () => {
  it('gives rows typed from the schema, or one row for one()', () => {
    expectTypeOf(useQuery(sssync.query.books.where('pageCount', '>=', 4))).toEqualTypeOf<readonly Book[]>();
    expectTypeOf(useQuery(sssync.query.books.one())).toEqualTypeOf<Book | undefined>();
    const withAuthor = useQuery(sssync.query.books.related('author'));
    expectTypeOf(withAuthor[0]!.author).toEqualTypeOf<{
      readonly id: string;
      readonly name: string;
    } | null>();
    expectTypeOf(useQueryState(sssync.query.books)).toEqualTypeOf<QueryState<readonly Book[]>>();
  });

  it('types the client, resources, mutations and status', () => {
    expectTypeOf(useSSSync<Client>().execute.createBook).parameters.toEqualTypeOf<[string, string]>();
    expectTypeOf(useResource('/user/books')).toEqualTypeOf<HeldResource>();
    useResource({ path: '/api/library/:id', params: { id: 42 }, temporary: true, refreshSeconds: 3 });
    // @ts-expect-error params are strings or numbers
    useResource({ path: '/api/library/:id', params: { id: true } });
    expectTypeOf(useMutationStatus(sssync.execute.createBook('b1', 'T'))).toEqualTypeOf<
      MutationState | undefined
    >();
    expectTypeOf(useSyncStatus()).toEqualTypeOf<SyncStatus>();
  });
});
