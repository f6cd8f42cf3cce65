/** One SSSync client per signed-in user, on IndexedDB: the data and the outbox survive reloads. */
import { SSSync, type SSSyncError } from 'sssync';
import { indexedDBStore } from 'sssync/idb';
import { mutators, schema } from '../shared/schema';

export type BooksClient = SSSync<typeof schema, typeof mutators.defs>;

export interface LibraryResponse {
  id: string;
  name: string;
  books: { id: string; title: string; author: string; pageCount: number; available: boolean }[];
}

export function openClient(
  user: string,
  onMutationError: (error: SSSyncError, mutation: { name: string; args: readonly unknown[] }) => void,
): BooksClient {
  const authorization = `Bearer ${encodeURIComponent(user)}`;
  return new SSSync(`books:${user}`, {
    schema,
    mutators,
    // One IndexedDB database per user on this device.
    store: indexedDBStore(),
    server: '/sync',
    // Demo authentication: the server takes the name as it is (see examples/books/README.md).
    headers: () => ({ authorization }),
    loaders: {
      // The user's own books and authors: kept on the device, synced incrementally.
      '/user/books': {},
      // A public library's shelf from a plain REST endpoint: memory only, polled while shown.
      '/api/library/:id': async ({ params }) => {
        const res = await fetch(`/api/library/${encodeURIComponent(params.id!)}`);
        if (!res.ok) throw new Error(`GET /api/library/${params.id} answered ${res.status}`);
        const shelf = (await res.json()) as LibraryResponse;
        return { libraryBooks: shelf.books.map((b) => ({ ...b, libraryId: shelf.id })) };
      },
    },
    onMutationError,
  });
}
