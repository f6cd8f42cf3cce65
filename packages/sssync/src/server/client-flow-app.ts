/**
 * The app of the client-flow tests (client-flows.ts) as server options: the sync tests' books schema
 * with a server-only rule, so that every deployment under test (in-process, a Worker) serves the same.
 */
import type { Transaction } from '../mutation/transaction.js';
import { mutators, schema } from '../test/sync-fixture.js';
import type { SyncHandlerOptions } from './options.js';

type Tx = Transaction<typeof schema>;

export function flowAppOptions(): SyncHandlerOptions<typeof schema, typeof mutators.defs> {
  return {
    schema,
    mutators,
    serverMutators: {
      renameBook: async (tx: Tx, id: string, title: string) => {
        if (title.startsWith('!')) throw new Error('titles may not start with "!"');
        await tx.books.update({ id, title });
      },
      giveAway: (tx: Tx, id: string, owner: string) => tx.books.update({ id, owner }),
    },
    authenticate: (request) => {
      const user = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return user === undefined ? null : { userID: user };
    },
    resources: {
      '/user/books': ({ userID, query }) => query.books.where('owner', '=', userID),
      '/shelves': ({ query }) => query.shelves,
    },
  };
}
