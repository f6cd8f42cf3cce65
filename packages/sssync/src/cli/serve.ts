/**
 * `sssync serve`: the instant backend for prototyping. Loads one module that exports `schema`,
 * `mutators` and optionally `resources` and `serverMutators`, serves `createSyncHandler` on a SQLite
 * file with a DEVELOPMENT-ONLY authentication (`Authorization: Bearer <user>` is that user), and
 * reloads the module when it (or a local file it imports) changes — the database stays.
 *
 * `.js`/`.mjs` modules are imported as they are. `.ts`/`.mts`/`.tsx` modules are bundled with esbuild
 * (local imports included, packages such as `sssync` left as imports) into a hidden `.mjs` next to
 * the module — so bare imports resolve exactly as they would from the module — imported, then deleted.
 */
import { type FSWatcher, watch } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MutatorDefs, Mutators } from '../mutation/mutators.js';
import type { QueryRoot } from '../mutation/transaction.js';
import type { Schema } from '../schema/schema.js';
import type { SyncDatabase } from '../server/database.js';
import { createSyncHandler, type SyncHandler } from '../server/handler.js';
import { toNodeHandler } from '../server/node.js';
import type { AuthContext, ResourceDef } from '../server/options.js';

/** A problem with what the user asked for: printed as one line, exit code 2. */
export class ServeError extends Error {
  override readonly name = 'ServeError';
}

export interface ServeOptions {
  /** The module exporting `schema`, `mutators` and optionally `resources`, `serverMutators`. */
  readonly schemaPath: string;
  /** Default 8787; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1 (this machine only). */
  readonly host?: string;
  /** The SQLite file (default ./sssync.db); kept across reloads and restarts. */
  readonly db?: string;
  /** Reload when the module changes (default true). */
  readonly watch?: boolean;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

export type ReloadResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface DevServer {
  /** The client's `server` option: `http://host:port/sync`. */
  readonly url: string;
  /** Resolves after the next reload attempt (started after this call): the new module is served, or why not. */
  nextReload(): Promise<ReloadResult>;
  /** Stops watching and listening and closes the database. */
  close(): Promise<void>;
}

/** The development authentication: `Authorization: Bearer <any-user-name>` → that user. */
export function devAuthenticate(request: Request): AuthContext | null {
  const user = /^Bearer\s+(\S{1,200})\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  return user === undefined ? null : { userID: user };
}

/** Every table to every user: `/all`, plus `/<table>` per table. */
export function allTablesResources(schema: Schema): Record<string, ResourceDef<Schema>> {
  const tables = Object.keys(schema.tables);
  const root = (query: QueryRoot<Schema>) => query as Record<string, QueryRoot<Schema>[string]>;
  const resources: Record<string, ResourceDef<Schema>> = {};
  for (const table of tables) {
    if (/^[A-Za-z0-9_.~-]+$/.test(table)) resources[`/${table}`] = ({ query }) => root(query)[table]!;
  }
  resources['/all'] = ({ query }) => tables.map((table) => root(query)[table]!);
  return resources;
}

interface AppModule {
  readonly schema: Schema;
  readonly mutators: Mutators<Schema, MutatorDefs<Schema>>;
  readonly serverMutators?: MutatorDefs<Schema>;
  readonly resources?: Readonly<Record<string, ResourceDef<Schema>>>;
}

const TS = new Set(['.ts', '.mts', '.tsx']);
const JS = new Set(['.js', '.mjs']);
let loads = 0;

/** Imports the module (bundling TypeScript first); returns its exports and the local files it is made of. */
async function loadModule(file: string): Promise<{ exports: Record<string, unknown>; inputs: string[] }> {
  const ext = extname(file);
  const n = `${Date.now().toString(36)}-${++loads}`;
  if (JS.has(ext)) {
    // A new URL each time, so Node imports the file again (files it imports stay cached).
    return { exports: await import(`${pathToFileURL(file).href}?sssync-reload=${n}`), inputs: [file] };
  }
  if (!TS.has(ext)) throw new ServeError(`${file}: use a .ts, .mts, .tsx, .js or .mjs module.`);
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new ServeError(
      'loading a TypeScript module needs esbuild: npm install esbuild (or use a .js module).',
    );
  }
  const cwd = dirname(file);
  let result: Awaited<ReturnType<typeof esbuild.build<{ write: false; metafile: true }>>>;
  try {
    result = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: cwd,
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      metafile: true,
      sourcemap: 'inline',
      logLevel: 'silent',
    });
  } catch (e) {
    const first = (
      e as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }
    ).errors?.[0];
    if (!first) throw e;
    const at = first.location
      ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: `
      : '';
    throw new ServeError(`${at}${first.text}`);
  }
  const temp = join(cwd, `.${basename(file)}.sssync-${n}.mjs`);
  await writeFile(temp, result.outputFiles[0]!.text);
  try {
    return {
      exports: await import(pathToFileURL(temp).href),
      inputs: Object.keys(result.metafile.inputs).map((input) => resolve(cwd, input)),
    };
  } finally {
    await rm(temp, { force: true });
  }
}

function checkModule(file: string, exports: Record<string, unknown>): AppModule {
  const name = basename(file);
  const schema = exports.schema as Schema | undefined;
  if (!schema || typeof schema !== 'object' || typeof schema.version !== 'number' || !schema.tables) {
    throw new ServeError(`${name} must export \`schema\` (export const schema = defineSchema({ … })).`);
  }
  const mutators = exports.mutators as AppModule['mutators'] | undefined;
  if (!mutators || typeof mutators !== 'object' || !mutators.defs || typeof mutators.defs !== 'object') {
    throw new ServeError(
      `${name} must export \`mutators\` (export const mutators = defineMutators(schema, { … })).`,
    );
  }
  const { resources, serverMutators } = exports;
  if (resources !== undefined && (typeof resources !== 'object' || resources === null)) {
    throw new ServeError(`${name}: \`resources\` must be an object of path → (ctx) => queries.`);
  }
  if (serverMutators !== undefined && (typeof serverMutators !== 'object' || serverMutators === null)) {
    throw new ServeError(`${name}: \`serverMutators\` must be an object of name → mutator.`);
  }
  return exports as unknown as AppModule;
}

/** An error as one line (a multi-line message, such as a migration's list of changes, joined). */
const message = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ') || 'failed';

/**
 * Lets browser apps served from another origin (a Vite dev server…) call it: answers preflights and
 * adds the CORS headers. Development only, like the rest of `serve`.
 */
function withDevCors(handler: (request: Request) => Promise<Response>) {
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-expose-headers': 'retry-after',
    'access-control-max-age': '600',
  };
  return async (request: Request): Promise<Response> => {
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors });
    const response = await handler(request);
    const headers = new Headers(response.headers);
    for (const [k, v] of Object.entries(cors)) headers.set(k, v);
    return new Response(response.body, { status: response.status, headers });
  };
}

/** Starts the development server; rejects with a `ServeError` on bad input. */
export async function serve(options: ServeOptions): Promise<DevServer> {
  const out = options.out ?? ((line: string) => console.log(line));
  const err = options.err ?? ((line: string) => console.error(line));
  const file = resolve(options.schemaPath);
  const dbPath = resolve(options.db ?? 'sssync.db');
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8787;
  const name = basename(file);

  try {
    if (!(await stat(file)).isFile()) throw new ServeError(`${file} is not a file.`);
  } catch (e) {
    if (e instanceof ServeError) throw e;
    throw new ServeError(`cannot read ${file}: no such file.`);
  }

  let sqliteDatabase: typeof import('../server/dialects/sqlite.js').sqliteDatabase;
  try {
    ({ sqliteDatabase } = await import('../server/dialects/sqlite.js'));
  } catch {
    throw new ServeError('sssync serve needs better-sqlite3: npm install better-sqlite3');
  }

  let database: SyncDatabase | undefined;
  let warned = false;
  const build = async (): Promise<{ handler: SyncHandler; inputs: string[] }> => {
    let loaded: Awaited<ReturnType<typeof loadModule>>;
    try {
      loaded = await loadModule(file);
    } catch (e) {
      throw e instanceof ServeError ? e : new ServeError(`${name}: ${message(e)}`);
    }
    const app = checkModule(file, loaded.exports);
    // Said at start, and again only when a reload drops the module's `resources`.
    if (!app.resources && !warned) {
      warned = true;
      err(
        `sssync serve: warning: ${name} exports no \`resources\`, so EVERY USER CAN READ EVERY ROW of every table ` +
          `(resources: ${Object.keys(allTablesResources(app.schema)).join(', ')}). Export \`resources\` to scope them.`,
      );
    }
    if (app.resources) warned = false;
    try {
      database ??= sqliteDatabase(dbPath);
    } catch (e) {
      throw new ServeError(`cannot open the database ${dbPath}: ${message(e)}`);
    }
    let handler: SyncHandler;
    try {
      handler = createSyncHandler({
        schema: app.schema,
        mutators: app.mutators,
        ...(app.serverMutators ? { serverMutators: app.serverMutators } : {}),
        resources: app.resources ?? allTablesResources(app.schema),
        authenticate: devAuthenticate,
        database,
        onError: (e) => err(`sssync serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
      });
      await handler.prepare();
    } catch (e) {
      throw new ServeError(`${name}: ${message(e)}`);
    }
    return { handler, inputs: loaded.inputs };
  };

  let current: Awaited<ReturnType<typeof build>>;
  try {
    current = await build();
  } catch (e) {
    await database?.close();
    throw e;
  }

  const server: Server = createServer(toNodeHandler(withDevCors((request) => current.handler(request))));
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (e) {
    await database?.close();
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new ServeError(`port ${port} is in use on ${host}: stop what uses it or pass --port <another>.`);
    }
    throw new ServeError(`cannot listen on ${host}:${port}: ${message(e)}`);
  }
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}/sync`;

  // Reloads: watch the directories of the module's files (editors often replace a file rather than write it).
  let waiting: ((result: ReloadResult) => void)[] = [];
  let watchers: FSWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reloading: Promise<void> = Promise.resolve();
  let closed = false;
  const rewatch = (inputs: readonly string[]) => {
    for (const w of watchers) w.close();
    watchers = [];
    if (options.watch === false || closed) return;
    const byDir = new Map<string, Set<string>>();
    for (const input of inputs) {
      if (/[\\/]node_modules[\\/]/.test(input)) continue;
      const dir = dirname(input);
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(basename(input));
    }
    for (const [dir, names] of byDir) {
      try {
        const w = watch(dir, (_event, changed) => {
          if (changed === null || names.has(changed.toString())) schedule();
        });
        w.on('error', () => {});
        watchers.push(w);
      } catch {
        // A directory that cannot be watched: that file just does not reload.
      }
    }
  };
  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading.then(reload);
    }, 60);
  };
  const reload = async () => {
    if (closed) return;
    let result: ReloadResult;
    try {
      const next = await build();
      if (closed) return;
      current = next;
      rewatch(next.inputs);
      out(`sssync serve: reloaded ${name}`);
      result = { ok: true };
    } catch (e) {
      const error = message(e);
      err(`sssync serve: reload failed, still serving the previous version: ${error}`);
      result = { ok: false, error };
    }
    const done = waiting;
    waiting = [];
    for (const resolveReload of done) resolveReload(result);
  };
  rewatch(current.inputs);

  out(`sssync serve: ${name} on ${url} (database ${dbPath})`);
  out(
    'sssync serve: DEVELOPMENT ONLY — any "Authorization: Bearer <user-name>" signs in as that user, no password.',
  );

  return {
    url,
    nextReload: () => new Promise((resolveReload) => waiting.push(resolveReload)),
    close: async () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await reloading;
      await database?.close();
    },
  };
}
