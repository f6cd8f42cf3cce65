/**
 * Each check must be able to fail: the reference server, with its answers bent or its options changed
 * one way at a time, fails the check that guards that promise. (The three `bugs` are in
 * conformance.test.ts.)
 */

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type MutatorDefs, withArgs } from '../mutation/mutators.js';
import type { Transaction } from '../mutation/transaction.js';
import { testModeOptions, testModeServerMutators } from '../server/test-mode.js';
import { ReferenceServer } from '../testing/reference-server.js';
import { runConformance } from './run.js';
import type { FetchFn } from './test-run.js';

type Options = ReturnType<typeof testModeOptions>;

interface Answer {
  readonly request: { readonly url: string; readonly body: unknown };
  status: number;
  readonly headers: Headers;
  body: any;
}

/** A fetch to the reference server whose answers `bend` changes. */
function bent(options: Options, bend: (answer: Answer) => void): FetchFn {
  const server = new ReferenceServer(options);
  return async (input, init) => {
    const response = await server.fetch(input, init);
    const text = await response.text();
    const answer: Answer = {
      request: { url: input, body: typeof init.body === 'string' ? safeJSON(init.body) : undefined },
      status: response.status,
      headers: new Headers(response.headers),
      body: safeJSON(text),
    };
    bend(answer);
    const body = answer.body === undefined ? text : JSON.stringify(answer.body);
    return new Response(body, { status: answer.status, headers: answer.headers });
  };
}

function safeJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function failing(fetch: FetchFn): Promise<string[]> {
  const results = await runConformance({ url: 'http://reference.test/sync', fetch });
  return results.filter((r) => !r.ok).map((r) => r.name);
}

const isPull = (a: Answer) => a.request.url.endsWith('/pull') && a.status === 200;
const failItemKeepsItsWrite: MutatorDefs<Options['schema']> = {
  ...testModeServerMutators,
  failItem: withArgs([v.string()], async (tx: Transaction<Options['schema']>, id) => {
    await tx.items.upsert({ id, owner: tx.userID!, title: 'failItem', n: 0 });
  }),
};

/** `/items` without its owner scope. */
const everyItem: Options['resources'] = {
  ...testModeOptions().resources,
  '/items': ({ query }) => query.items,
};

const BENT: readonly (readonly [fault: string, bend: (a: Answer) => void, check: string])[] = [
  [
    'a 405 without Allow',
    (a) => {
      if (a.status === 405) a.headers.delete('allow');
    },
    'transport: GET → 405 METHOD_NOT_ALLOWED with Allow: POST',
  ],
  [
    'a 400 without its field',
    (a) => {
      if (a.status === 400) delete a.body.error.field;
    },
    'malformed: each bad push field → 400 naming it',
  ],
  [
    'a 400 naming the wrong field',
    (a) => {
      if (a.status === 400 && a.body.error.field?.startsWith('resources[')) a.body.error.field = 'resources';
    },
    'malformed: each bad pull field → 400 naming it',
  ],
  [
    'a 429 without Retry-After',
    (a) => {
      if (a.status === 429) a.headers.delete('retry-after');
    },
    'auth: Bearer rate-limited → 429 RATE_LIMITED with Retry-After',
  ],
  [
    'a stack trace in an error message',
    (a) => {
      if (a.status === 403) a.body.error.message += '\n    at claim (/srv/sync/server.js:120:11)';
    },
    'errors: every error body fits §8, with no stack trace or SQL',
  ],
  [
    'SQL in a mutation error',
    (a) => {
      for (const r of a.body?.results ?? [])
        if (r.error) r.error.message = 'SELECT owner FROM items WHERE id = ?';
    },
    'errors: every error body fits §8, with no stack trace or SQL',
  ],
  [
    'a 200 that may be cached',
    (a) => {
      if (a.status === 200) a.headers.delete('cache-control');
    },
    'transport: every 200 is JSON with Cache-Control: no-store',
  ],
  [
    'lastMutationIDs holding the sender only',
    (a) => {
      if (!isPull(a)) return;
      const own = (a.request.body as { clientID: string }).clientID;
      a.body.lastMutationIDs = own in a.body.lastMutationIDs ? { [own]: a.body.lastMutationIDs[own] } : {};
    },
    'consistency: lastMutationIDs list every client of the group that pushed',
  ],
  [
    'lastMutationIDs one ahead of the patch',
    (a) => {
      if (!isPull(a)) return;
      for (const id of Object.keys(a.body.lastMutationIDs)) a.body.lastMutationIDs[id] += 1;
    },
    "consistency: a pull's lastMutationIDs count a push and its patch shows it",
  ],
  [
    'a full load without clear',
    (a) => {
      if (!isPull(a)) return;
      for (const r of a.body.resources) if (r.patch[0]?.op === 'clear') r.patch.shift();
    },
    'pull: an unusable cursor → a full load',
  ],
  [
    'a 404 that is UNKNOWN_RESOURCE for a URL',
    (a) => {
      if (a.status === 404) a.body.error.code = 'UNKNOWN_RESOURCE';
    },
    'transport: another URL → 404 NOT_FOUND',
  ],
];

const CHANGED: readonly (readonly [fault: string, options: Options, check: string])[] = [
  [
    'pages of 1000',
    { ...testModeOptions(), limits: { pageSize: 1000 } },
    'pull: a full load of 25 items in pages of at most 10',
  ],
  [
    'a 512 KiB body limit',
    { ...testModeOptions(), limits: { maxRequestBytes: 512 * 1024 } },
    'limits: a push just under 1 MiB is accepted',
  ],
  [
    'failItem that succeeds',
    { ...testModeOptions(), serverMutators: failItemKeepsItsWrite },
    'mutations: failItem → MUTATOR_FAILED, rolled back, next id accepted',
  ],
  [
    '/items holding every item',
    { ...testModeOptions(), resources: everyItem },
    'pull: transferItem moves the item to the new owner; /items/:id is 403 for the old',
  ],
];

describe('each check can fail', () => {
  it.each(BENT)('%s', async (_fault, bend, check) => {
    expect(await failing(bent(testModeOptions(), bend))).toContain(check);
  });

  it.each(CHANGED)('%s', async (_fault, options, check) => {
    expect(await failing(new ReferenceServer(options).fetch)).toContain(check);
  });
});
