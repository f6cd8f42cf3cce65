import { describe, expect, it } from 'vitest';
import { RESTORE_MUTATOR } from '../mutation/restore.js';
import { makeServer, pushBody, send } from './harness.js';

describe("undo's restore mutator on the server", () => {
  it('is refused unless the app opts in with its own version: it would write any row it is given', async () => {
    const server = await makeServer();
    // user-b's item...
    const own = await send(
      server,
      'push',
      pushBody('g-b', 'c-b', [{ id: 1, name: 'putItem', args: ['x', 'theirs', 1] }]),
      { user: 'user-b' },
    );
    expect(own.body.results[0]).toMatchObject({ ok: true });
    // ...which user-a tries to overwrite through a hand-made restore.
    const restore = [
      { table: 'items', id: 'x', expect: null, restore: { id: 'x', owner: 'user-a', title: 'mine', n: 0 } },
    ];
    const answer = await send(
      server,
      'push',
      pushBody('g-a', 'c-a', [{ id: 1, name: RESTORE_MUTATOR, args: [restore] }]),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.results[0]).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const rows = server.sqlite.prepare('select id, owner, title from items').all();
    expect(rows).toEqual([{ id: 'x', owner: 'user-b', title: 'theirs' }]);
  });
});
