// Builds the books example: the app (Vite) into dist/app and the server (esbuild) into dist/server.mjs.
// `node build.mjs --app-only --out <dir>` builds just the app elsewhere (the e2e tests do).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';

const here = import.meta.dirname;
const { values } = parseArgs({ options: { 'app-only': { type: 'boolean' }, out: { type: 'string' } } });

// A test runner's NODE_ENV=test would otherwise give React's development build.
process.env.NODE_ENV = 'production';
await vite({
  configFile: join(here, 'vite.config.ts'),
  mode: 'production',
  logLevel: 'warn',
  ...(values.out ? { build: { outDir: values.out, emptyOutDir: true } } : {}),
});

if (!values['app-only']) {
  await esbuild({
    entryPoints: [join(here, 'server', 'main.ts')],
    outfile: join(here, 'dist', 'server.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // sssync and better-sqlite3 are imported from node_modules at run time (the built library).
    packages: 'external',
    logLevel: 'warning',
  });
}
