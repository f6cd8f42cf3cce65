/** The server suite on D1 (workerd's D1, reached from Node through Miniflare): one database per test. */
import { afterAll, beforeAll } from 'vitest';
import { d1Database } from '../dialects/d1.js';
import { runServerSuite } from '../server-suite.js';
import { type D1Pool, startD1Pool } from './miniflare.js';

let pool: D1Pool;
beforeAll(async () => {
  pool = await startD1Pool(32);
}, 30_000);
afterAll(() => pool?.dispose());

runServerSuite('D1', async () => d1Database(await pool.next()));
