/**
 * The SQLite sync server in its own process, on 127.0.0.1 (B5, B7): seeds BENCH_ROWS books, then
 * prints `{"port":…}` on stdout and serves until killed.
 */
import { createServer } from 'node:http';
import { toNodeHandler } from 'sssync/server';
import { makeBooks } from './data.js';
import { seed, sqliteServer } from './server.js';

const server = sqliteServer();
await seed(server.fetch, makeBooks(Number(process.env.BENCH_ROWS ?? 10_000)));
const http = createServer(toNodeHandler(server.handler));
http.keepAliveTimeout = 60_000;
http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  if (typeof address === 'object' && address) console.log(JSON.stringify({ port: address.port }));
});
