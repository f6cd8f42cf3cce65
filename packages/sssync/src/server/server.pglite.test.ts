/** The server suite on PGlite (Postgres in WebAssembly): one instance per run, a schema per test. */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { pgliteDatabase } from './dialects/pglite.js';
import { runServerSuite } from './server-suite.js';

let instance: PGlite;
let schemas = 0;

beforeAll(async () => {
  instance = await PGlite.create();
}, 60_000);

afterAll(async () => {
  await instance.close();
});

runServerSuite('PGlite', async () => {
  const schema = `t${++schemas}`;
  await instance.exec(`create schema ${schema}; set search_path to ${schema}`);
  return pgliteDatabase(instance);
});
