/** `npm start`: the books app and its sync server on one port (PORT, default 3000). */
import { join } from 'node:path';
import { startBooksServer } from './books-server.js';

const here = import.meta.dirname;
const server = await startBooksServer({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
  dbFile: process.env.BOOKS_DB ?? join(here, '..', 'data', 'books.db'),
  staticDir: join(here, '..', 'dist', 'app'),
});
console.log(`SSSync books example: ${server.url}`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
