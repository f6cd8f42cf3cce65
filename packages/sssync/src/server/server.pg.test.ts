/**
 * The server suite on a real Postgres (127.0.0.1:5432, user postgres): a fresh database per run,
 * created from `test` and dropped at the end; a fresh schema per test.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { SyncDatabase } from './database.js';
import { postgresDatabase } from './dialects/postgres.js';
import { runServerSuite } from './server-suite.js';

const server = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const name = `sssync_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
const admin = new pg.Pool({ ...server, database: 'test', max: 1 });
const opened: SyncDatabase[] = [];
let schemas = 0;

beforeAll(async () => {
  await admin.query(`create database ${name}`);
});

afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
  // Pools end their connections asynchronously: wait for them rather than kill them (a killed
  // connection reports an error nobody listens to any more).
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`drop database if exists ${name}${attempt < 50 ? '' : ' with (force)'}`);
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await admin.end();
});

runServerSuite('Postgres', async () => {
  const schema = `t${++schemas}`;
  const setup = new pg.Client({ ...server, database: name });
  await setup.connect();
  await setup.query(`create schema ${schema}`);
  await setup.end();
  const db = postgresDatabase({
    ...server,
    database: name,
    max: 12,
    options: `-c search_path=${schema} -c synchronous_commit=off`,
  });
  opened.push(db);
  return db;
});
