/**
 * The example Worker: a notes app synced through D1. Deploy with `npx wrangler deploy` (see
 * README.md); the client points `server` at `https://<worker>.workers.dev/sync`.
 */
import { c, defineMutators, defineSchema, SSSyncError, table } from 'sssync';
import { createSyncHandler } from 'sssync/server';
import { type SyncEnv, syncWorker } from './sync-worker.js';

export const schema = defineSchema({
  version: 1,
  tables: {
    notes: table({ id: c.string(), owner: c.string(), text: c.string(), done: c.boolean() }).index('owner'),
  },
});

export const mutators = defineMutators(schema, {
  addNote: (tx, id: string, text: string) =>
    tx.notes.insert({ id, owner: tx.userID ?? '', text, done: false }),
  setDone: (tx, id: string, done: boolean) => tx.notes.update({ id, done }),
  deleteNote: (tx, id: string) => tx.notes.delete({ id }),
});

interface Env extends SyncEnv {
  /** A shared secret for this demo (`npx wrangler secret put API_TOKEN`); use your real auth instead. */
  readonly API_TOKEN?: string;
}

export default syncWorker<Env>((database, env) =>
  createSyncHandler({
    schema,
    mutators,
    database,
    // Only the owner may change a note: the server decides, whatever the client sent.
    serverMutators: {
      setDone: async (tx, id: string, done: boolean) => {
        const note = await tx.notes.get(id);
        if (note && note.owner !== tx.userID) throw new SSSyncError('FORBIDDEN', 'Not your note.');
        await tx.notes.update({ id, done });
      },
      deleteNote: async (tx, id: string) => {
        const note = await tx.notes.get(id);
        if (note && note.owner !== tx.userID) throw new SSSyncError('FORBIDDEN', 'Not your note.');
        await tx.notes.delete({ id });
      },
    },
    resources: { '/notes': ({ userID, query }) => query.notes.where('owner', '=', userID) },
    // Demo authentication: `Authorization: Bearer <token>:<user>`. Replace with your session check.
    authenticate: (request) => {
      const [token, user] = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '').split(':');
      if (!user || (env.API_TOKEN !== undefined && token !== env.API_TOKEN)) return null;
      return { userID: user };
    },
  }),
);
