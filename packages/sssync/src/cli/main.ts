/**
 * cli/: the `sssync` command. `main(argv, io)` does the work and returns the exit code, so tests run it
 * in-process; `bin.ts` is the executable that calls it with the real process.
 */
import { runConformance } from '../conformance/run.js';
import type { FetchFn } from '../conformance/test-run.js';
import { ServeError, type ServeOptions, serve } from './serve.js';

export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Default: the global `fetch`. */
  readonly fetch?: FetchFn;
  /** `serve` runs until this settles. Default: until SIGINT or SIGTERM. */
  readonly stop?: Promise<unknown>;
}

export const USAGE = `Usage: sssync serve --schema <module> [--port 8787] [--db ./sssync.db] [--host 127.0.0.1]
       sssync conformance <url> [--header 'Name: value']...

sssync serve: an instant backend for prototyping. Serves the module's \`schema\`, \`mutators\` and
optional \`resources\` and \`serverMutators\` (a .ts, .js or .mjs file) with the recommended server on a
SQLite file, prints its URL, and reloads when the module changes. With no \`resources\`, every user
reads every table ('/all', and '/<table>' per table). DEVELOPMENT ONLY: the request header
"Authorization: Bearer <any-user-name>" signs in as that user, with no password.

  --schema <module>  the module to serve (required)
  --port <n>         default 8787 (0: any free port)
  --db <file>        the SQLite file, default ./sssync.db (kept across reloads and restarts)
  --host <address>   default 127.0.0.1 (this machine only)

sssync conformance: checks the sync server at <url> (its endpoints are <url>/push and <url>/pull) against
PROTOCOL.md, over HTTP. The server must run in its conformance test mode (PROTOCOL.md §11);
each run uses fresh users and ids, so runs may share a server.

Options:
  -H, --header 'Name: value'  send this header with every request (repeatable)
  -h, --help                  show this help

Prints one line per check and exits with 1 if any check fails.`;

type Parsed =
  | { readonly help: true }
  | { readonly serve: ServeOptions }
  | { readonly url: string; readonly headers: Record<string, string> };

/**
 * Runs the command; resolves to the process exit code (0 ok, 1 a check failed, 2 bad usage or input).
 * `serve` resolves when it stops (`io.stop`, or SIGINT/SIGTERM).
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    io.err(`sssync: ${e instanceof Error ? e.message : String(e)}`);
    io.err("Run 'sssync --help' for usage.");
    return 2;
  }
  if ('help' in parsed) {
    io.out(USAGE);
    return 0;
  }
  if ('serve' in parsed) return runServe(parsed.serve, io);
  let passed = 0;
  let failed = 0;
  await runConformance({
    url: parsed.url,
    headers: parsed.headers,
    ...(io.fetch ? { fetch: io.fetch } : {}),
    onResult: (result) => {
      if (result.ok) passed++;
      else failed++;
      io.out(result.ok ? `✓ ${result.name}` : `✗ ${result.name} — ${result.detail}`);
    },
  });
  io.out(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

function parse(argv: readonly string[]): Parsed {
  if (argv.length === 0) throw new Error('missing a command.');
  if (argv.some((arg) => arg === '-h' || arg === '--help') || argv[0] === 'help') return { help: true };
  const [command, ...rest] = argv;
  if (command === 'serve') return { serve: parseServe(rest) };
  if (command !== 'conformance') throw new Error(`unknown command ${JSON.stringify(command)}.`);
  const headers: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--header' || arg === '-H') {
      const value = rest[++i];
      if (value === undefined) throw new Error(`${arg} needs a value: --header 'Name: value'.`);
      addHeader(headers, value);
    } else if (arg.startsWith('--header=')) {
      addHeader(headers, arg.slice('--header='.length));
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}.`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 1) throw new Error('conformance takes exactly one <url>.');
  const url = positional[0]!;
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error(`${JSON.stringify(url)} is not a URL.`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`${url} is not an http(s) URL.`);
  return { url, headers };
}

function addHeader(headers: Record<string, string>, value: string): void {
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(value);
  if (!match) throw new Error(`${JSON.stringify(value)} is not a header: write 'Name: value'.`);
  headers[match[1]!.toLowerCase()] = match[2]!.trim();
}

function parseServe(args: readonly string[]): ServeOptions {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!['--schema', '--port', '--db', '--host'].includes(flag)) {
      throw new Error(
        arg.startsWith('-')
          ? `unknown option ${arg}.`
          : `serve takes no ${JSON.stringify(arg)}: use --schema <module>.`,
      );
    }
    const value = flag === arg ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new Error(`${flag} needs a value.`);
    values[flag.slice(2)] = value;
  }
  if (values.schema === undefined)
    throw new Error('serve needs --schema <module> (e.g. --schema ./schema.ts).');
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535)
      throw new Error(`--port ${values.port} is not a port (0–65535).`);
  }
  return {
    schemaPath: values.schema,
    ...(port !== undefined ? { port } : {}),
    ...(values.db !== undefined ? { db: values.db } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
  };
}

async function runServe(options: ServeOptions, io: CliIO): Promise<number> {
  let server: Awaited<ReturnType<typeof serve>>;
  try {
    server = await serve({ ...options, out: io.out, err: io.err });
  } catch (e) {
    const text = e instanceof ServeError ? e.message : e instanceof Error ? e.message : String(e);
    io.err(`sssync serve: ${text.split('\n')[0]}`);
    return 2;
  }
  await (io.stop ?? untilSignal());
  await server.close();
  return 0;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
