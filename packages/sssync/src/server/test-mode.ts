/**
 * The conformance test mode of PROTOCOL.md §11 as server options: one `items` table, five mutators,
 * two resources and an "authentication" that accepts anyone named `user-…`. Never serve it in
 * production. `createSyncHandler({ ...testModeOptions(), database })` and
 * `new ReferenceServer(testModeOptions())` both serve it, so `sssync conformance` can check either.
 */
import * as v from 'valibot';
import { defineMutators, type MutatorDefs, withArgs } from '../mutation/mutators.js';
import type { Transaction } from '../mutation/transaction.js';
import { c, defineSchema, table } from '../schema/index.js';
import { SSSyncError } from '../util/errors.js';
import type { AuthContext, SyncHandlerOptions } from './options.js';

export const testModeSchema = defineSchema({
  version: 1,
  tables: {
    items: table({ id: c.string(), owner: c.string(), title: c.string(), n: c.number() }).index('owner'),
  },
});

type TestModeSchema = typeof testModeSchema;
type Tx = Transaction<TestModeSchema>;

const ID = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const TITLE = v.string();
const NUMBER = v.pipe(v.number(), v.finite());

/**
 * The client's optimistic versions: the client does not know who it is signed in as, so it keeps the
 * owner it sees and checks nothing; the server's versions below decide.
 */
export const testModeMutators = defineMutators(testModeSchema, {
  putItem: withArgs([ID, TITLE, NUMBER], async (tx, id, title, n) => {
    const owner = (await tx.items.get(id))?.owner ?? tx.userID ?? '';
    await tx.items.upsert({ id, owner, title, n });
  }),
  incrementItem: withArgs([ID, NUMBER], async (tx, id, by) => {
    const item = await tx.items.get(id);
    if (item) await tx.items.update({ id, n: item.n + by });
  }),
  deleteItem: withArgs([ID], (tx, id) => tx.items.delete({ id })),
  failItem: withArgs([ID], () => {}),
  transferItem: withArgs([ID, ID], async (tx, id, newOwner) => {
    if (await tx.items.get(id)) await tx.items.update({ id, owner: newOwner });
  }),
});

/** The caller's item, or undefined if there is none; `FORBIDDEN` if another user owns it. */
async function ownItem(tx: Tx, id: string, what: string) {
  const item = await tx.items.get(id);
  if (item && item.owner !== tx.userID) {
    throw new SSSyncError(
      'FORBIDDEN',
      `Item "${id}" belongs to another user: only its owner may ${what} it.`,
    );
  }
  return item;
}

async function existingItem(tx: Tx, id: string, what: string) {
  const item = await ownItem(tx, id, what);
  if (!item) throw new SSSyncError('MUTATOR_FAILED', `There is no item "${id}" to ${what}.`);
  return item;
}

export const testModeServerMutators: MutatorDefs<TestModeSchema> = {
  putItem: withArgs([ID, TITLE, NUMBER], async (tx: Tx, id, title, n) => {
    await ownItem(tx, id, 'change');
    await tx.items.upsert({ id, owner: tx.userID!, title, n });
  }),
  incrementItem: withArgs([ID, NUMBER], async (tx: Tx, id, by) => {
    const item = await existingItem(tx, id, 'increment');
    await tx.items.update({ id, n: item.n + by });
  }),
  deleteItem: withArgs([ID], async (tx: Tx, id) => {
    if (await ownItem(tx, id, 'delete')) await tx.items.delete({ id });
  }),
  failItem: withArgs([ID], async (tx: Tx, id) => {
    await tx.items.upsert({ id, owner: tx.userID!, title: 'failItem', n: 0 });
    throw new SSSyncError('MUTATOR_FAILED', 'failItem always fails (test mode): its write is rolled back.');
  }),
  transferItem: withArgs([ID, ID], async (tx: Tx, id, newOwner) => {
    await existingItem(tx, id, 'transfer');
    await tx.items.update({ id, owner: newOwner });
  }),
};

export const testModeResources: SyncHandlerOptions<
  TestModeSchema,
  typeof testModeMutators.defs
>['resources'] = {
  '/items': ({ userID, query }) => query.items.where('owner', '=', userID),
  '/items/:id': async ({ userID, params, query }) => {
    const id = params.id ?? '';
    const item = await query.items.where('id', '=', id).one().run();
    if (item && item.owner !== userID) {
      throw new SSSyncError('FORBIDDEN', `Item "${id}" belongs to another user.`);
    }
    return query.items.where('id', '=', id).where('owner', '=', userID);
  },
};

const USER_TOKEN = /^Bearer (user-[A-Za-z0-9_-]{1,59})$/;
const RATE_LIMITED = 'rate-limited';

/** `Authorization: Bearer user-…` is that user; `Bearer rate-limited` passes, to be refused with 429. */
export function testModeAuthenticate(request: Request): AuthContext | null {
  const header = request.headers.get('authorization') ?? '';
  if (header === `Bearer ${RATE_LIMITED}`) return { userID: RATE_LIMITED };
  const user = USER_TOKEN.exec(header)?.[1];
  return user === undefined ? null : { userID: user };
}

/** Always 429 (Retry-After: 30) for `Bearer rate-limited`, never for anyone else. */
export function testModeRateLimit(_request: Request, auth: AuthContext): number | undefined {
  return auth.userID === RATE_LIMITED ? 30 : undefined;
}

/** Everything test mode serves, to spread into a server's options (add `database` for the real one). */
export function testModeOptions(): SyncHandlerOptions<TestModeSchema, typeof testModeMutators.defs> {
  return {
    schema: testModeSchema,
    mutators: testModeMutators,
    serverMutators: testModeServerMutators,
    resources: testModeResources,
    authenticate: testModeAuthenticate,
    rateLimit: testModeRateLimit,
    limits: { pageSize: 10 },
  };
}
