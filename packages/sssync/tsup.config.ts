import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    memory: 'src/store/memory-store.ts',
    idb: 'src/store/idb-store.ts',
    sqlite: 'src/store/sqlite-store.ts',
    protocol: 'src/protocol/index.ts',
    testing: 'src/testing/index.ts',
    conformance: 'src/conformance/index.ts',
    // src/cli/bin.ts starts with `#!/usr/bin/env node`: tsup keeps it and makes dist/cli.js executable.
    cli: 'src/cli/bin.ts',
    server: 'src/server/index.ts',
    'server-sqlite': 'src/server/dialects/sqlite.ts',
    'server-postgres': 'src/server/dialects/postgres.ts',
    'server-mysql': 'src/server/dialects/mysql.ts',
    'server-pglite': 'src/server/dialects/pglite.ts',
    'server-d1': 'src/server/dialects/d1.ts',
    'server-bun-sqlite': 'src/server/dialects/bun-sqlite.ts',
    'server-lambda': 'src/server/lambda.ts',
    react: 'src/react/index.ts',
    devtools: 'src/devtools/index.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['better-sqlite3', 'vitest', 'pg', 'mysql2', '@electric-sql/pglite', 'kysely', 'react'],
});
