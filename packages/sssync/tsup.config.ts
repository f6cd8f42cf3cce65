import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    memory: 'src/store/memory-store.ts',
    idb: 'src/store/idb-store.ts',
    sqlite: 'src/store/sqlite-store.ts',
    testing: 'src/testing/index.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['better-sqlite3'],
});
