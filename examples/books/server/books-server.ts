/**
 * The books app's server: the sync protocol (`createSyncHandler` over a SQLite file) under `/sync`,
 * a REST endpoint for the public libraries under `/api/library/:id`, and the built app — one port.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SSSyncError } from 'sssync';
import { createSyncHandler, toNodeHandler } from 'sssync/server';
import { sqliteDatabase } from 'sssync/server/sqlite';
import { type BookChanges, MAX_PAGES, mutators, type NewBook, schema } from '../shared/schema.js';
import { LIBRARIES, libraryShelf, prepareLibrary } from './library.js';

export interface BooksServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** The SQLite file (created with its folder if missing). */
  readonly dbFile: string;
  /** The built app (`vite build` output); without it only the API is served. */
  readonly staticDir?: string;
}

export interface BooksServer {
  readonly url: string;
  readonly port: number;
  /** The server's own connection to the SQLite file. */
  readonly db: BetterSqlite3.Database;
  close(): Promise<void>;
}

/**
 * DEMO AUTHENTICATION: `Authorization: Bearer <name>` signs in as `<name>`, no password. Books and
 * authors are scoped by owner, so two names see different data — but anyone can claim any name.
 * A real app verifies a session cookie or a signed token here.
 */
export function userFromRequest(request: Request): { userID: string } | null {
  const m = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '');
  const name = m ? decodeURIComponent(m[1]!).trim().toLowerCase() : '';
  return /^[\p{L}\p{N} ._-]{1,40}$/u.test(name) ? { userID: name } : null;
}

function checkBook(changes: BookChanges): void {
  if (changes.title !== undefined && changes.title.trim() === '') {
    throw new SSSyncError('INVALID_ARGUMENT', 'A book needs a title.', { details: { field: 'title' } });
  }
  if (changes.pageCount !== undefined && (!Number.isInteger(changes.pageCount) || changes.pageCount < 0)) {
    throw new SSSyncError('INVALID_ARGUMENT', 'The page count must be a whole number, 0 or more.');
  }
  if (changes.pageCount !== undefined && changes.pageCount > MAX_PAGES) {
    throw new SSSyncError(
      'INVALID_ARGUMENT',
      `${changes.pageCount.toLocaleString('en')} pages is too long: the library takes books of at most ${MAX_PAGES.toLocaleString('en')} pages.`,
    );
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
};

export async function startBooksServer(options: BooksServerOptions): Promise<BooksServer> {
  mkdirSync(dirname(options.dbFile), { recursive: true });
  const db = new BetterSqlite3(options.dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  prepareLibrary(db);
  const sync = createSyncHandler({
    schema,
    mutators,
    // The server decides: it validates, sets the owner, and lets users change only their own rows.
    serverMutators: {
      createAuthor: (tx, id: string, name: string) => tx.authors.insert({ id, name, owner: tx.userID! }),
      createBook: async (tx, id: string, book: NewBook) => {
        checkBook(book);
        await tx.books.insert({ id, ...book, owner: tx.userID! });
      },
      updateBook: async (tx, id: string, changes: BookChanges) => {
        checkBook(changes);
        const book = await tx.books.get(id);
        if (!book) throw new SSSyncError('NOT_FOUND', 'That book was deleted.');
        if (book.owner !== tx.userID) throw new SSSyncError('FORBIDDEN', 'That book is not yours.');
        await tx.books.update({ id, ...changes });
      },
      deleteBook: async (tx, id: string) => {
        const book = await tx.books.get(id);
        if (book && book.owner !== tx.userID) throw new SSSyncError('FORBIDDEN', 'That book is not yours.');
        await tx.books.delete({ id });
      },
    },
    resources: {
      '/user/books': ({ userID, query }) => [
        query.books.where('owner', '=', userID),
        query.authors.where('owner', '=', userID),
      ],
    },
    authenticate: userFromRequest,
    database: sqliteDatabase(db),
  });
  await sync.prepare();

  const api = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/sync/')) return sync(request);
    if (pathname === '/api/library') {
      return Response.json(Object.entries(LIBRARIES).map(([id, name]) => ({ id, name })));
    }
    const m = /^\/api\/library\/([^/]+)$/.exec(pathname);
    const shelf = m && libraryShelf(db, decodeURIComponent(m[1]!));
    if (shelf) return Response.json(shelf, { headers: { 'cache-control': 'no-store' } });
    return Response.json(
      { error: { code: 'NOT_FOUND', message: `Nothing at ${pathname}.` } },
      { status: 404 },
    );
  };
  const apiNode = toNodeHandler(api);
  const root = options.staticDir ? resolve(options.staticDir) : undefined;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/sync/') || path.startsWith('/api/') || !root) return apiNode(req, res);
    serveStatic(root, path, res);
  });
  await new Promise<void>((done) => server.listen(options.port, options.host ?? '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${!options.host || ['127.0.0.1', '0.0.0.0', '::'].includes(options.host) ? 'localhost' : options.host}:${port}`,
    port,
    db,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      db.close();
    },
  };
}

/** The built app: files as they are, and index.html for any other path (the app routes itself). */
function serveStatic(root: string, path: string, res: ServerResponse): void {
  let file = normalize(join(root, decodeURIComponent(path)));
  if (!file.startsWith(root + sep) && file !== root) {
    res.writeHead(403).end();
    return;
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('The app is not built: run `npm start`.');
    return;
  }
  // Hashed assets never change; the shell and the service worker must be revalidated every time.
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(readFileSync(file));
}
