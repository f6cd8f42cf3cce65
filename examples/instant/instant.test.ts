/** examples/instant: `sssync serve` on schema.ts, with two users running app.ts against it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serve } from '../../packages/sssync/src/cli/serve.js';
import { main, openTodos } from './app';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

describe('examples/instant', () => {
  it('syncs two users through `sssync serve --schema ./schema.ts`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sssync-instant-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const printed: string[] = [];
    const server = await serve({
      schemaPath: join(import.meta.dirname, 'schema.ts'),
      port: 0,
      db: join(dir, 'sssync.db'),
      watch: false,
      out: (line) => printed.push(line),
      err: (line) => printed.push(line),
    });
    cleanup.push(() => server.close());
    expect(printed.join('\n')).toContain('EVERY USER CAN READ EVERY ROW');

    const seen: string[] = [];
    const alice = await main('alice', server.url, (text) => seen.push(text));
    cleanup.push(() => alice.close());
    await alice.sync();

    const bob = openTodos('bob', server.url);
    cleanup.push(() => bob.close());
    await bob.ready;
    await bob.persist('/all').ready;
    const [todo] = await bob.query.todos.run();
    expect(todo).toMatchObject({ title: "alice's first todo", done: false, by: 'alice' });
    await bob.execute.toggleTodo(todo!.id);
    await bob.sync();

    await alice.sync();
    expect(seen.at(-1)).toBe("✓ alice's first todo (alice)");
  });
});
