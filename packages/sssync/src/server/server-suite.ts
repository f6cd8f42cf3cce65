/**
 * The server suite: one contract, run over every database (`server.<db>.test.ts`). Each test gets a
 * fresh, empty database from `makeDatabase` and talks to `createSyncHandler` with plain `Request`s.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { SyncDatabase } from './database.js';
import type { SyncHandler } from './handler.js';
import { concurrencyTests } from './server-suite-concurrency.js';
import { migrationTests } from './server-suite-migration.js';
import { pullTests } from './server-suite-pull.js';
import { pushTests } from './server-suite-push.js';
import { requestTests } from './server-suite-requests.js';
import { Api, appHandler } from './test-app.js';

export type MakeDatabase = () => Promise<SyncDatabase>;

/** The per-test state the suite's parts share. */
export interface SuiteState {
  db: SyncDatabase;
  handler: SyncHandler;
  api: Api;
}

export function runServerSuite(name: string, makeDatabase: MakeDatabase): void {
  describe(`sync server on ${name}`, () => {
    const state = {} as SuiteState;
    beforeEach(async () => {
      state.db = await makeDatabase();
      state.handler = appHandler(state.db);
      state.api = new Api(state.handler);
    });
    afterEach(async () => {
      await state.db.close();
    });

    pushTests(state);
    pullTests(state);
    requestTests(state);
    migrationTests(state);
    concurrencyTests(state, name);
  });
}
