/**
 * B7: the SQLite server's throughput in one process (a child, over loopback), driven by autocannon:
 * pushes of one mutation from a new client each, and incremental pulls from a recent cursor.
 */
import autocannon from 'autocannon';
import { BOOKS_PATH, schema } from './books-app.js';
import type { Config } from './config.js';
import { bookID } from './data.js';
import { startLoopbackServer } from './loopback.js';
import type { Result } from './results.js';

const HEADERS = { 'content-type': 'application/json' };

function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function b7ServerThroughput(cfg: Config): Promise<Result[]> {
  const rows = 10_000;
  const server = await startLoopbackServer(rows);
  const duration = cfg.quick ? 3 : 10;
  try {
    const pullBody = (cursor: string | null) =>
      JSON.stringify({
        protocolVersion: 1,
        schemaVersion: schema.version,
        clientGroupID: 'b7-puller',
        clientID: 'b7-puller',
        resources: [{ path: BOOKS_PATH, cursor }],
      });
    let serial = 0;
    const run = { id: Date.now().toString(36) };
    const push = await load({
      url: `${server.url}/push`,
      method: 'POST',
      headers: HEADERS,
      connections: 10,
      duration,
      requests: [
        {
          setupRequest: (req) => {
            serial++;
            return {
              ...req,
              body: JSON.stringify({
                protocolVersion: 1,
                schemaVersion: schema.version,
                clientGroupID: `g-${run.id}-${serial}`,
                clientID: `c-${run.id}-${serial}`,
                mutations: [
                  {
                    id: 1,
                    name: 'setPageCount',
                    args: [bookID(serial % rows), serial],
                    timestamp: Date.now(),
                  },
                ],
              }),
            };
          },
        },
      ],
    });
    // A cursor at the head (taken after the pushes), so each pull is a synced client's incremental pull.
    let cursor: string | null = null;
    for (let more = true; more; ) {
      const res = await fetch(`${server.url}/pull`, {
        method: 'POST',
        headers: HEADERS,
        body: pullBody(cursor),
      });
      const json = (await res.json()) as { resources: { cursor: string; more: boolean }[] };
      cursor = json.resources[0]!.cursor;
      more = json.resources[0]!.more;
    }
    const pull = await load({
      url: `${server.url}/pull`,
      method: 'POST',
      headers: HEADERS,
      body: pullBody(cursor),
      connections: 10,
      duration,
    });
    const perSecond = (r: autocannon.Result) =>
      r.non2xx > 0 || r.errors > 0 ? null : Math.round(r.requests.average);
    const note = (r: autocannon.Result) =>
      `${r.requests.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors, p50 latency ${r.latency.p50} ms`;
    const results: Result[] = [];
    for (const [what, r, goal] of [
      ['push', push, 3000],
      ['pull', pull, 5000],
    ] as const) {
      const value = perSecond(r);
      results.push({
        id: 'B7',
        name: `server throughput on SQLite, ${what} requests/s (10 connections, ${duration} s)`,
        unit: 'req/s',
        better: 'higher',
        sssync: value,
        peers: { replicache: null, 'tanstack-db': null, rxdb: null, dexie: null },
        goal,
        goalText: `≥ ${goal} ${what}/s`,
        met: value === null ? null : value >= goal,
        notes: {
          sssync: note(r),
          peers: 'no peer ships a sync server',
          load: 'push: one mutation from a new client per request; pull: one resource from the head cursor',
        },
      });
    }
    return results;
  } finally {
    server.stop();
  }
}
