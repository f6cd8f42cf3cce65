/** The client flows (client-flows.ts) against `createSyncHandler` on SQLite, through an in-process `fetch`. */
import { flowAppOptions } from './client-flow-app.js';
import { clientFlowTests } from './client-flows.js';
import { sqliteDatabase } from './dialects/sqlite.js';
import { createSyncHandler } from './handler.js';

clientFlowTests('SQLite', async () => {
  const db = sqliteDatabase(':memory:');
  const handler = createSyncHandler({ ...flowAppOptions(), database: db });
  await handler.prepare();
  return { fetch: handler, db, close: () => db.close() };
});
