/**
 * The books app's build. `sssync` resolves to the workspace package's TypeScript sources (the
 * "source" export condition), so the app never waits for a library build. The service worker is
 * written at build time with the list of files to keep for offline use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const here = import.meta.dirname;

/** Emits `sw.js`: the service-worker template with this build's files as its precache list. */
function serviceWorker(): Plugin {
  return {
    name: 'books-service-worker',
    apply: 'build',
    generateBundle(_, bundle) {
      const files = ['/', ...Object.keys(bundle).map((f) => `/${f}`), '/manifest.webmanifest', '/icon.svg'];
      const version = Date.now().toString(36);
      const source = readFileSync(join(here, 'src', 'sw-template.js'), 'utf8')
        .replace('__PRECACHE__', JSON.stringify(files))
        .replace('__VERSION__', JSON.stringify(version));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

export default defineConfig({
  root: here,
  plugins: [react(), serviceWorker()],
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: { outDir: join(here, 'dist', 'app'), emptyOutDir: true, sourcemap: true },
  // `npx vite examples/books` for development, with `npm start` running the API on port 3000.
  server: {
    proxy: { '/sync': 'http://localhost:3000', '/api': 'http://localhost:3000' },
  },
});
