/**
 * `sssync serve` in-process: a TypeScript module in a fresh folder (with `sssync` installed, as a
 * symlink), real `SSSync` clients over HTTP, a reload that adds a mutator, and the errors.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SSSync } from '../client/sssync.js';
import { memoryStore } from '../store/memory-store.js';
import { main } from './main.js';
import { type DevServer, ServeError, serve } from './serve.js';

const PACKAGE = join(import.meta.dirname, '..', '..');
const cleanup: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

/** An empty project folder with `sssync` in its node_modules. */
async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sssync-serve-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'node_modules'));
  await symlink(PACKAGE, join(dir, 'node_modules', 'sssync'), 'dir');
  return dir;
}

const SCHEMA = `
import { c, defineMutators, defineSchema, table } from 'sssync';
import { titleOf } from './titles';

export const schema = defineSchema({
  version: 1,
  tables: {
    todos: table({ id: c.string(), title: c.string(), done: c.boolean().default(false) }),
    tags: table({ id: c.string(), name: c.string() }),
  },
});

export const mutators = defineMutators(schema, {
  addTodo: (tx, id: string, title: string) => tx.todos.insert({ id, title: titleOf(title) }),
  MORE
});
`;

async function start(dir: string, more = '', extra: Partial<Parameters<typeof serve>[0]> = {}) {
  await writeFile(join(dir, 'titles.ts'), 'export const titleOf = (t: string): string => t.trim();\n');
  await writeFile(join(dir, 'schema.ts'), SCHEMA.replace('MORE', more));
  const out: string[] = [];
  const err: string[] = [];
  const server = await serve({
    schemaPath: join(dir, 'schema.ts'),
    port: 0,
    db: join(dir, 'sync.db'),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    ...extra,
  });
  cleanup.push(() => server.close());
  return { server, out, err };
}

/** A client of a schema module's source (default SCHEMA), bundled as `serve` does, with a memory store. */
async function appClient(
  dir: string,
  server: DevServer,
  user: string,
  source = SCHEMA.replace('MORE', ''),
): Promise<any> {
  await writeFile(join(dir, `client-schema-${user}.ts`), source);
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(dir, `client-schema-${user}.ts`)],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    write: false,
  });
  const temp = join(dir, `client-${user}-${Date.now()}.mjs`);
  await writeFile(temp, result.outputFiles[0]!.text);
  const mod = await import(temp);
  const sssync = new SSSync<any, any>('app', {
    schema: mod.schema,
    mutators: mod.mutators,
    store: memoryStore(),
    server: server.url,
    headers: () => ({ authorization: `Bearer ${user}` }),
    loaders: { '/all': {}, '/todos': {} },
    backoff: { baseMs: 1, maxMs: 4 },
  });
  cleanup.push(() => sssync.close());
  await sssync.ready;
  return sssync;
}

describe('sssync serve', () => {
  it('serves a .ts module to real clients (push, then pull through /all), and reloads when it changes', async () => {
    const dir = await project();
    const { server, out, err } = await start(dir);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sync$/);
    expect(out).toContain(`sssync serve: schema.ts on ${server.url} (database ${join(dir, 'sync.db')})`);
    expect(out.join('\n')).toContain('DEVELOPMENT ONLY');
    expect(err).toEqual([
      'sssync serve: warning: schema.ts exports no `resources`, so EVERY USER CAN READ EVERY ROW of every table (resources: /todos, /tags, /all). Export `resources` to scope them.',
    ]);
    // The bundled module was imported and removed: nothing is left next to it.
    expect((await readdir(dir)).filter((f) => f.endsWith('.mjs'))).toEqual([]);

    const alice = await appClient(dir, server, 'alice');
    await alice.persist('/all').ready;
    await alice.execute.addTodo('t1', '  buy milk ');
    await alice.sync();
    expect(alice.status.pending).toBe(0);

    const bob = await appClient(dir, server, 'bob');
    await bob.persist('/all').ready;
    expect(await bob.query.todos.run()).toEqual([{ id: 't1', title: 'buy milk', done: false }]);

    // No Authorization header: 401.
    const anonymous = await fetch(`${server.url}/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);

    // Add a mutator; the server reloads and runs it (the database, with t1, stays).
    const more = 'finish: (tx, id: string) => tx.todos.update({ id, done: true }),';
    const reloaded = server.nextReload();
    await writeFile(join(dir, 'schema.ts'), SCHEMA.replace('MORE', more));
    expect(await reloaded).toEqual({ ok: true });
    expect(out.at(-1)).toBe('sssync serve: reloaded schema.ts');

    const carol = await appClient(dir, server, 'carol', SCHEMA.replace('MORE', more));
    await carol.persist('/todos').ready;
    await carol.execute.finish('t1');
    await carol.sync();
    expect(carol.status.lastError).toBeNull();
    await bob.sync();
    expect(await bob.query.todos.run()).toEqual([{ id: 't1', title: 'buy milk', done: true }]);

    // A change to a file the module imports reloads too.
    const again = server.nextReload();
    await writeFile(
      join(dir, 'titles.ts'),
      'export const titleOf = (t: string): string => t.toUpperCase();\n',
    );
    expect(await again).toEqual({ ok: true });
    await carol.execute.addTodo('t2', 'shout');
    await carol.sync();
    await bob.sync();
    expect(await bob.query.todos.where('id', '=', 't2').run()).toEqual([
      { id: 't2', title: 'SHOUT', done: false },
    ]);

    // A broken edit keeps the previous version serving.
    const broken = server.nextReload();
    await writeFile(join(dir, 'schema.ts'), 'export const schema = ;\n');
    const result = await broken;
    expect(result.ok).toBe(false);
    expect(err.at(-1)).toMatch(
      /^sssync serve: reload failed, still serving the previous version: .*schema\.ts:1:\d+: Unexpected ";"$/,
    );
    await carol.execute.finish('t2');
    await carol.sync();
    expect(carol.status.lastError).toBeNull();

    // Changing a table needs a new schema version, as in production; then it migrates, keeping the rows.
    const withDue = SCHEMA.replace('MORE', more).replace(
      'done: c.boolean().default(false) }',
      'done: c.boolean().default(false), due: c.date().optional() }',
    );
    const unversioned = server.nextReload();
    await writeFile(join(dir, 'schema.ts'), withDue);
    expect(await unversioned).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^schema\.ts: The schema changed but its version is still 1: .*Raise `version`/,
      ),
    });
    const versioned = server.nextReload();
    await writeFile(join(dir, 'schema.ts'), withDue.replace('version: 1', 'version: 2'));
    expect(await versioned).toEqual({ ok: true });
    const dave = await appClient(dir, server, 'dave', withDue.replace('version: 1', 'version: 2'));
    await dave.persist('/todos').ready;
    expect(await dave.query.todos.orderBy('id').run()).toEqual([
      { id: 't1', title: 'buy milk', done: true, due: null },
      { id: 't2', title: 'SHOUT', done: true, due: null },
    ]);
  });

  it('serves the exported resources and serverMutators (and no warning), and answers CORS preflights', async () => {
    const dir = await project();
    await writeFile(
      join(dir, 'app.mjs'),
      `import { c, defineMutators, defineSchema, table } from 'sssync';
export const schema = defineSchema({ version: 1, tables: { notes: table({ id: c.string(), owner: c.string() }) } });
export const mutators = defineMutators(schema, { add: (tx, id) => tx.notes.insert({ id, owner: tx.userID ?? '' }) });
export const serverMutators = { add: (tx, id) => tx.notes.insert({ id, owner: tx.userID }) };
export const resources = { '/mine': ({ userID, query }) => query.notes.where('owner', '=', userID) };
`,
    );
    const err: string[] = [];
    const server = await serve({
      schemaPath: join(dir, 'app.mjs'),
      port: 0,
      db: join(dir, 'sync.db'),
      out: () => {},
      err: (line) => err.push(line),
      watch: false,
    });
    cleanup.push(() => server.close());
    expect(err).toEqual([]);
    const preflight = await fetch(`${server.url}/push`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');

    // The module's serverMutators decide (the owner is the signed-in user) and its resources scope reads.
    const app = await import(join(dir, 'app.mjs'));
    const open = async (user: string) => {
      const sssync = new SSSync<any, any>('app', {
        schema: app.schema,
        mutators: app.mutators,
        store: memoryStore(),
        server: server.url,
        headers: () => ({ authorization: `Bearer ${user}` }),
        loaders: { '/mine': {} },
      });
      cleanup.push(() => sssync.close());
      await sssync.ready;
      await sssync.persist('/mine').ready;
      return sssync as any;
    };
    const alice = await open('alice');
    await alice.execute.add('n1');
    await alice.sync();
    expect(await alice.query.notes.run()).toEqual([{ id: 'n1', owner: 'alice' }]);
    const bob = await open('bob');
    expect(await bob.query.notes.run()).toEqual([]);
  });

  it('bad input: a clear one-line error, exit code 2', async () => {
    const dir = await project();
    await writeFile(join(dir, 'no-mutators.mjs'), 'export const schema = { version: 1, tables: {} };\n');
    await writeFile(join(dir, 'nothing.ts'), 'export const x: number = 1;\n');
    await writeFile(join(dir, 'schema.txt'), '');
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(argv, {
        out: (line) => out.push(line),
        err: (line) => err.push(line),
        stop: Promise.resolve(),
      });
      return { code, out, err };
    };
    const db = ['--db', join(dir, 'sync.db'), '--port', '0'];
    expect(await cli('serve', '--schema', join(dir, 'missing.ts'), ...db)).toEqual({
      code: 2,
      out: [],
      err: [`sssync serve: cannot read ${join(dir, 'missing.ts')}: no such file.`],
    });
    expect((await cli('serve', '--schema', join(dir, 'nothing.ts'), ...db)).err).toEqual([
      'sssync serve: nothing.ts must export `schema` (export const schema = defineSchema({ … })).',
    ]);
    expect((await cli('serve', '--schema', join(dir, 'no-mutators.mjs'), ...db)).err).toEqual([
      'sssync serve: no-mutators.mjs must export `mutators` (export const mutators = defineMutators(schema, { … })).',
    ]);
    expect((await cli('serve', '--schema', join(dir, 'schema.txt'), ...db)).err).toEqual([
      `sssync serve: ${join(dir, 'schema.txt')}: use a .ts, .mts, .tsx, .js or .mjs module.`,
    ]);
    for (const argv of [['serve'], ['serve', '--port', 'x', '--schema', 'a.ts'], ['serve', 'a.ts']]) {
      const bad = await cli(...argv);
      expect(bad.code).toBe(2);
      expect(bad.err.at(-1)).toBe("Run 'sssync --help' for usage.");
    }

    // Port in use.
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    cleanup.push(() => new Promise((done) => blocker.close(done)));
    const port = (blocker.address() as { port: number }).port;
    await writeFile(join(dir, 'titles.ts'), 'export const titleOf = (t: string): string => t;\n');
    await writeFile(join(dir, 'schema.ts'), SCHEMA.replace('MORE', ''));
    const busy = await cli(
      'serve',
      '--schema',
      join(dir, 'schema.ts'),
      '--db',
      join(dir, 'sync.db'),
      '--port',
      String(port),
    );
    expect(busy.code).toBe(2);
    expect(busy.err.at(-1)).toBe(
      `sssync serve: port ${port} is in use on 127.0.0.1: stop what uses it or pass --port <another>.`,
    );
    await expect(
      serve({ schemaPath: join(dir, 'missing.ts'), out: () => {}, err: () => {} }),
    ).rejects.toThrow(ServeError);

    // A good run through the CLI: prints the URL, stops when told to, exit 0.
    const ok = await cli('serve', '--schema', join(dir, 'schema.ts'), ...db);
    expect(ok.code).toBe(0);
    expect(ok.out[0]).toMatch(/^sssync serve: schema\.ts on http:\/\/127\.0\.0\.1:\d+\/sync \(database /);
  });
});
