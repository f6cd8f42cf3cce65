/**
 * The server suite on a real MariaDB/MySQL (127.0.0.1:3306, root without password): a fresh database
 * per test, all dropped at the end of the run.
 */
import { createConnection } from 'mysql2/promise';
import { afterAll } from 'vitest';
import type { SyncDatabase } from './database.js';
import { mysqlDatabase } from './dialects/mysql.js';
import { runServerSuite } from './server-suite.js';

const server = { host: '127.0.0.1', port: 3306, user: 'root' };
const prefix = `sssync_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
const databases: string[] = [];
const opened: SyncDatabase[] = [];

async function admin<T>(fn: (conn: Awaited<ReturnType<typeof createConnection>>) => Promise<T>): Promise<T> {
  const conn = await createConnection(server);
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
  await admin(async (conn) => {
    for (const db of databases) await conn.query(`drop database if exists ${db}`);
  });
});

runServerSuite('MariaDB', async () => {
  const database = `${prefix}_${databases.length + 1}`;
  databases.push(database);
  await admin((conn) => conn.query(`create database ${database}`));
  const db = mysqlDatabase({ ...server, database, connectionLimit: 12 });
  opened.push(db);
  return db;
});
