import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeHandler } from '../server/node.js';
import { testModeOptions } from '../server/test-mode.js';
import { ReferenceServer, type ReferenceServerBugs } from '../testing/reference-server.js';
import { main } from './main.js';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** The reference server in test mode on a loopback port; records the headers of each request. */
async function listen(bugs: ReferenceServerBugs = {}): Promise<{ url: string; seen: Headers[] }> {
  const reference = new ReferenceServer({ ...testModeOptions(), bugs });
  const seen: Headers[] = [];
  const server = createServer(
    toNodeHandler((request) => {
      seen.push(request.headers);
      return reference.handle(request);
    }),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sync`, seen };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('sssync conformance', () => {
  it('prints a ✓ line per check and a summary, and exits 0 against a conforming server', async () => {
    const { url, seen } = await listen();
    const { code, out, err } = await cli(
      'conformance',
      url,
      '--header',
      'X-Gateway-Key: k1',
      '-H',
      'x-run: 7',
    );
    expect(err).toEqual([]);
    const checks = out.slice(0, -1);
    expect(checks.length).toBeGreaterThan(35);
    expect(checks.filter((line) => !line.startsWith('✓ '))).toEqual([]);
    expect(out.at(-1)).toBe(`${checks.length} passed, 0 failed`);
    expect(code).toBe(0);
    expect(seen.every((h) => h.get('x-gateway-key') === 'k1' && h.get('x-run') === '7')).toBe(true);
  });

  it('prints ✗ with the reason and exits 1 when a check fails', async () => {
    const { url } = await listen({ ignoreAuth: true });
    const { code, out } = await cli('conformance', url);
    const failed = out.filter((line) => line.startsWith('✗ '));
    expect(failed).toEqual([
      expect.stringMatching(
        /^✗ auth: no Authorization header → 401 UNAUTHORIZED — push with no Authorization header: expected 401 UNAUTHORIZED, got 200/,
      ),
      expect.stringMatching(
        /^✗ auth: Bearer nobody → 401 UNAUTHORIZED — push with Bearer nobody: expected 401/,
      ),
    ]);
    expect(out.at(-1)).toBe(`${out.length - 3} passed, 2 failed`);
    expect(code).toBe(1);
  });

  it('fails every check, without hanging, when nothing listens', async () => {
    const { url } = await listen();
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    const { code, out } = await cli('conformance', url);
    expect(out.at(-1)).toMatch(/^0 passed, \d+ failed$/);
    expect(out[0]).toMatch(/^✗ versions: .* — error: push with protocolVersion 2: no answer/);
    expect(code).toBe(1);
  });

  it('--help prints the usage; bad usage exits 2 with a hint', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toContain("sssync conformance <url> [--header 'Name: value']...");
    for (const argv of [
      [],
      ['serve'],
      ['conformance'],
      ['conformance', 'not a url'],
      ['conformance', 'http://x', '--header', 'nocolon'],
      ['conformance', 'http://x', '--verbose'],
    ]) {
      const bad = await cli(...argv);
      expect(bad.code).toBe(2);
      expect(bad.out).toEqual([]);
      expect(bad.err.at(-1)).toBe("Run 'sssync --help' for usage.");
    }
  });
});

describe('the built executable', () => {
  it('keeps the shebang, is executable, and runs', async () => {
    const { build } = await import('tsup');
    const outDir = await mkdtemp(join(tmpdir(), 'sssync-cli-'));
    try {
      await build({
        config: false,
        entry: { cli: join(import.meta.dirname, 'bin.ts') },
        outDir,
        format: ['esm'],
        target: 'node20',
        platform: 'node',
        noExternal: [/.*/],
        silent: true,
      });
      const file = join(outDir, 'cli.js');
      expect((await readFile(file, 'utf8')).split('\n')[0]).toBe('#!/usr/bin/env node');
      expect((await stat(file)).mode & 0o111).not.toBe(0);
      const { stdout } = await promisify(execFile)(file, ['--help']);
      expect(stdout).toContain('Usage: sssync serve --schema <module>');
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
