import { sqliteDatabase } from './dialects/sqlite.js';
import { runServerSuite } from './server-suite.js';

runServerSuite('SQLite', async () => sqliteDatabase(':memory:'));
