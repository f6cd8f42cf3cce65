/**
 * cli/: the `sssync` command. `main(argv, io)` does the work and returns the exit code, so tests run it
 * in-process; `bin.ts` is the executable that calls it with the real process.
 */
import { runConformance } from '../conformance/run.js';
import type { FetchFn } from '../conformance/test-run.js';

export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Default: the global `fetch`. */
  readonly fetch?: FetchFn;
}

export const USAGE = `Usage: sssync conformance <url> [--header 'Name: value']...

Checks the sync server at <url> (its endpoints are <url>/push and <url>/pull) against
PROTOCOL.md, over HTTP. The server must run in its conformance test mode (PROTOCOL.md §11);
each run uses fresh users and ids, so runs may share a server.

Options:
  -H, --header 'Name: value'  send this header with every request (repeatable)
  -h, --help                  show this help

Prints one line per check and exits with 1 if any check fails.`;

type Parsed = { readonly help: true } | { readonly url: string; readonly headers: Record<string, string> };

/** Runs the command; resolves to the process exit code (0 ok, 1 a check failed, 2 bad usage). */
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
