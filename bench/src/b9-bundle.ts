/** B9: the core client bundle — the `sssync` entry, minified and gzipped by esbuild/zlib — beside the peers'. */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Config } from './config.js';
import type { PeerName, Result } from './results.js';

const ENTRIES: Record<'sssync' | PeerName, string> = {
  sssync: "export * from 'sssync';",
  replicache: "export * from 'replicache';",
  'tanstack-db': "export * from '@tanstack/db';",
  rxdb: "export * from 'rxdb';",
  dexie: "export { default } from 'dexie'; export * from 'dexie';",
};

async function gzipKB(contents: string, conditions: string[]): Promise<number> {
  const out = await build({
    stdin: { contents, resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions,
    write: false,
    logLevel: 'silent',
  });
  return Number((gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length / 1024).toFixed(1));
}

export async function b9Bundle(_cfg: Config): Promise<Result[]> {
  const peers: Result['peers'] = {};
  for (const name of ['replicache', 'tanstack-db', 'rxdb', 'dexie'] as const) {
    peers[name] = await gzipKB(ENTRIES[name], []);
  }
  // `source` resolves `sssync` to its TypeScript entry (packages/sssync/src/index.ts), as published.
  const sssync = await gzipKB(ENTRIES.sssync, ['source']);
  return [
    {
      id: 'B9',
      name: 'client bundle: package entry, esbuild --minify, gzip -9',
      unit: 'KB',
      better: 'lower',
      sssync,
      peers,
      goal: 20,
      goalText: '≤ 20 KB',
      met: sssync <= 20,
      notes: {
        sssync: "export * from 'sssync' (no store; stores are separate entries)",
        rxdb: "export * from 'rxdb' (core, no storage plugin)",
      },
    },
  ];
}
