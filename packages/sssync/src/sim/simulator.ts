/**
 * sim/: a deterministic simulator (issue 8). Real SSSync clients on memory stores talk to the real
 * `createSyncHandler` over SQLite in memory through a simulated network that drops, duplicates,
 * reorders, delays, fails and garbles requests; clients crash and restart on their stores, go offline
 * and back, and run random workloads with mutations the server refuses and ownership/ACL changes.
 * Every choice comes from the seed and time is virtual (the engine's clock is injected), so
 * `simulate({ seed })` replays a run exactly. After every step, and after healing the network at the
 * end, the invariants of invariants.ts are checked; a failing run returns its seed and trace.
 */
import BetterSqlite3 from 'better-sqlite3';
import { SSSync } from '../client/sssync.js';
import { Replica } from '../replica/replica.js';
import { memoryStore } from '../store/memory-store.js';
import type { ResourceHandle } from '../sync/resources.js';
import { errorMessage, isSSSyncError } from '../util/errors.js';
import {
  appliedCounts,
  type ServerItem,
  type SimServer,
  serverItems,
  serverLastMutationIDs,
  simMutators,
  simSchema,
  simServer,
} from './app.js';
import { Ledger, NeverBackwards, sameRows, Violation } from './invariants.js';
import { type NetFault, type Packet, type ServerAnswer, SimNetwork } from './network.js';
import { Prng } from './prng.js';
import { type App, SimClient, settle } from './sim-client.js';
import { VirtualClock } from './virtual-clock.js';
import { randomMutation, USERS } from './workload.js';

export interface SimOptions {
  readonly seed: number;
  /** Random steps before the network heals (default 30). */
  readonly steps?: number;
  /** Clients (default 3; users alternate, so two devices share a user). */
  readonly clients?: number;
  /** Store commits that throw (an aborted transaction) now and then. */
  readonly storeFaults?: boolean;
  /** A client's data deleted while it is closed (browser eviction): it restarts on an empty store. */
  readonly eviction?: boolean;
  /** The server's database replaced by an earlier backup once during the run. */
  readonly restore?: boolean;
  /** Offsets the clients' wall clock (`Date.now`) from the server's. */
  readonly clientClockSkewMs?: number;
  /** Events of the trace kept in `SimResult.tail` (default 30). */
  readonly tail?: number;
}

export interface SimResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violation?: string;
  /** Every event of the run, in order. */
  readonly trace: readonly string[];
  /** The last events, for a failure report. */
  readonly tail: readonly string[];
  readonly requests: number;
  readonly finalItems: readonly ServerItem[];
}

/** The wall clock of a run starts here (virtual too: timestamps are part of the replay). */
const EPOCH = Date.UTC(2026, 0, 1);
const HEAL_LIMIT_MS = 30 * 60_000;

export async function simulate(opts: SimOptions): Promise<SimResult> {
  const rng = new Prng(opts.seed);
  const clock = new VirtualClock(() => rng.next());
  const trace: string[] = [];
  const log = (event: string) => trace.push(`${(clock.now() / 1000).toFixed(3)}s ${event}`);
  const ledger = new Ledger();
  const serverLast = new NeverBackwards();
  const heardLast = new NeverBackwards();
  const clients = Array.from(
    { length: opts.clients ?? 3 },
    (_, i) => new SimClient(i, USERS[i % USERS.length]!),
  );
  const serverErrors: unknown[] = [];
  let server: SimServer | undefined;
  let backup: { data: Buffer; processed: number } | undefined;
  let restored = false;
  let requests = 0;
  let late: unknown;

  const realNow = Date.now;
  let inServer = false;
  Date.now = () => EPOCH + Math.floor(clock.now()) + (inServer ? 0 : (opts.clientClockSkewMs ?? 0));

  const network = new SimNetwork({
    serve: async (p) => {
      requests++;
      inServer = true;
      let answer: ServerAnswer;
      try {
        const response = await server!.handler(
          new Request(p.url, { method: 'POST', headers: p.headers, body: p.body }),
        );
        answer = {
          status: response.status,
          text: await response.text(),
          headers: Object.fromEntries(response.headers),
        };
      } finally {
        inServer = false;
      }
      if (serverErrors.length > 0) throw new Violation(`server error: ${errorMessage(serverErrors[0])}`);
      if (answer.status === 200 && p.kind === 'push') observePush(p, answer.text);
      return answer;
    },
    alive: (p) => clients[p.client]!.instance === p.instance && clients[p.client]!.app !== undefined,
    answered: (p, a) => {
      if (a.status !== 200) return;
      const c = clients[p.client]!;
      let ids: unknown;
      try {
        ids = (JSON.parse(a.text) as { lastMutationIDs?: unknown }).lastMutationIDs;
      } catch {
        return; // a garbled answer: the client must refuse it
      }
      if (typeof ids !== 'object' || ids === null) return;
      for (const [id, last] of Object.entries(ids as Record<string, number>)) {
        heardLast.check(`the lastMutationID ${c.name} heard`, c.label(id), last);
      }
    },
  });

  function observePush(p: Packet, text: string): void {
    const request = JSON.parse(p.body) as { mutations: { id: number; args: unknown[] }[] };
    const tags = new Map(request.mutations.map((m) => [m.id, String(m.args[0])]));
    const response = JSON.parse(text) as { results: { id: number; ok: boolean; duplicate?: boolean }[] };
    for (const r of response.results) if (!r.duplicate) ledger.serverProcessed(tags.get(r.id)!, r.ok);
  }

  function describe(p: Packet): string {
    const c = clients[p.client]!;
    const body = JSON.parse(p.body) as {
      clientID: string;
      mutations?: { id: number; args: unknown[] }[];
      resources?: { cursor: string | null }[];
    };
    const who = `#${p.id} ${c.label(body.clientID)}${p.instance === c.instance ? '' : ` (instance ${p.instance})`}`;
    if (body.mutations) return `${who} push ${body.mutations.map((m) => `${m.id}=${m.args[0]}`).join(',')}`;
    const full = body.resources?.filter((r) => r.cursor === null).length ?? 0;
    return `${who} pull ${body.resources?.length ?? 0} resources (${full} full)`;
  }

  async function start(c: SimClient): Promise<void> {
    c.instance++;
    const app: App = new SSSync('sim', {
      schema: simSchema,
      mutators: simMutators,
      store: c.store,
      server: 'http://sim/sync',
      fetch: network.fetchFor(c.index, c.instance),
      headers: () => ({ authorization: `Bearer ${c.user}` }),
      clock,
    });
    c.app = app;
    await settle();
    await app.ready;
    c.handles = [app.persist('/items'), shared(c)];
    c.released = false;
    for (const h of c.handles) h.ready.catch(() => {});
    log(`${c.name} starts as ${c.label(app.clientID)} with ${app.pendingCount} pending`);
  }

  function shared(c: SimClient): ResourceHandle {
    const h = c.temporary ? c.app!.temporary('/shared', { refreshSeconds: 30 }) : c.app!.persist('/shared');
    h.ready.catch(() => {});
    return h;
  }

  async function stop(c: SimClient, why: string): Promise<void> {
    const app = c.app!;
    c.app = undefined;
    c.failNextCommit = false;
    await app.close();
    log(`${c.name} ${why}`);
  }

  /** The tags in a client's outbox, from the running client or from its store. */
  async function outboxOf(c: SimClient): Promise<string[]> {
    if (c.app) return (await c.app.export()).pendingMutations.map((m) => String(m.args[0]));
    await c.inner.open('sim');
    const snap = await c.inner.load();
    await c.inner.close();
    return snap.outbox.map((e) => String(e.args[0]));
  }

  async function mutate(c: SimClient): Promise<void> {
    const app = c.app!;
    const planned = randomMutation(rng, c.user);
    const tag = `${c.index}.${++c.n}`;
    const info = ledger.created(tag, c.index, c.n, c.era);
    const exec = app.execute[planned.name] as (...args: unknown[]) => ReturnType<App['execute']['put']>;
    const result = exec(tag, ...planned.args);
    // Verdicts arrive in callbacks: a violation found there is raised by the next check.
    const told = (verdict: 'confirmed' | 'rejected') => {
      try {
        ledger.told(tag, verdict);
      } catch (e) {
        late ??= e;
      }
    };
    result.confirmed.then(
      () => told('confirmed'),
      (e: unknown) => {
        if (isSSSyncError(e, 'SERVER_REJECTED')) told('rejected');
      },
    );
    let outcome = 'pending';
    result.then(
      () => {
        info.committed = true;
        outcome = 'committed';
      },
      (e: unknown) => {
        info.failedLocally = true;
        outcome = `failed (${isSSSyncError(e) ? e.code : errorMessage(e)})`;
      },
    );
    await settle();
    log(
      `${c.name} ${planned.name}(${planned.args.map((a) => JSON.stringify(a)).join(', ')}) as ${tag}: ${outcome}`,
    );
  }

  async function deliver(): Promise<void> {
    const index = rng.chance(0.75) ? 0 : rng.int(network.queue.length);
    const fault = rng.weighted<NetFault>({
      none: 60,
      'drop-request': 6,
      'drop-response': 8,
      duplicate: 6,
      'replay-later': 6,
      'server-error': 4,
      'rate-limit': 3,
      malformed: 4,
      hang: 3,
    });
    const what = describe(network.queue[index]!);
    const note = await network.deliver(index, fault, rng);
    log(`deliver ${what}${fault === 'none' ? '' : ` [${fault}]`} → ${note}`);
  }

  /** Moves time to the next timer (or by a second) and fires what is due. */
  async function tick(limit = Number.POSITIVE_INFINITY): Promise<boolean> {
    const next = clock.nextAt();
    if (next !== undefined && next > limit) return false;
    clock.advanceTo(next ?? clock.now() + 1000);
    for (let fn = clock.takeDue(); fn; fn = clock.takeDue()) {
      fn();
      await settle();
    }
    return true;
  }

  async function restoreBackup(): Promise<void> {
    const { data, processed } = backup!;
    // The server is down while it is restored: requests under way die with it.
    for (const p of network.queue.splice(0)) p.answer?.reject(new TypeError('fetch failed (server down)'));
    const pending = new Set<string>();
    for (const c of clients) for (const tag of await outboxOf(c)) pending.add(tag);
    for (const p of ledger.processed.slice(processed)) {
      // Processed after the backup and already out of its outbox: lost with the restore, by design.
      if (!pending.has(p.tag)) ledger.tags.get(p.tag)!.exempt = 'lost with the restored backup';
    }
    ledger.processed = ledger.processed.slice(0, processed);
    const sqlite = new BetterSqlite3(data);
    // The restore procedure (PROTOCOL.md §6.5): cursors handed out since the backup must not be trusted.
    sqlite.prepare("update sssync_meta set value = 'restored' where name = 'epoch'").run();
    server = await simServer(sqlite, (e) => serverErrors.push(e));
    serverLast.reset();
    heardLast.reset();
    restored = true;
    log(`server restored from the backup (${processed} mutations processed then)`);
  }

  async function evict(c: SimClient): Promise<void> {
    if (c.app) await stop(c, 'closes');
    const lost = await outboxOf(c);
    for (const tag of lost) ledger.tags.get(tag)!.exempt = 'evicted with its outbox';
    c.inner = memoryStore();
    c.era++;
    c.outbox = [];
    log(`${c.name}'s data is evicted (${lost.length} pending writes lost with it)`);
    await start(c);
  }

  async function step(): Promise<void> {
    const alive = clients.filter((c) => c.app);
    const dead = clients.filter((c) => !c.app);
    const action = rng.weighted({
      mutate: alive.length ? 35 : 0,
      deliver: network.queue.length ? 35 : 0,
      tick: 12,
      crash: alive.length ? 3 : 0,
      restart: dead.length ? 6 : 0,
      offline: 3,
      online: 4,
      refresh: alive.length ? 4 : 0,
      release: alive.some((c) => c.temporary && !c.released) ? 3 : 0,
      acquire: alive.some((c) => c.released) ? 3 : 0,
      storeFault: opts.storeFaults && alive.length ? 5 : 0,
      evict: opts.eviction ? 2 : 0,
      backup: opts.restore && !backup ? 3 : 0,
      restore: opts.restore && backup && !restored ? 3 : 0,
    });
    switch (action) {
      case 'mutate':
        return mutate(rng.pick(alive));
      case 'deliver':
        return deliver();
      case 'tick':
        await tick();
        log('tick');
        return;
      case 'crash':
        return stop(rng.pick(alive), 'crashes');
      case 'restart':
        return start(rng.pick(dead));
      case 'offline':
      case 'online': {
        const c = rng.pick(clients);
        network.setOnline(c.index, action === 'online');
        log(`${c.name} goes ${action}`);
        return;
      }
      case 'refresh': {
        const c = rng.pick(alive);
        const h = rng.pick(c.handles);
        h.refresh().catch(() => {});
        log(`${c.name} refreshes ${h.path}`);
        return;
      }
      case 'release': {
        const c = rng.pick(alive.filter((x) => x.temporary && !x.released));
        c.handles[1]!.release();
        c.released = true;
        log(`${c.name} releases the temporary /shared`);
        return;
      }
      case 'acquire': {
        const c = rng.pick(alive.filter((x) => x.released));
        c.handles[1] = shared(c);
        c.released = false;
        log(`${c.name} takes the temporary /shared again`);
        return;
      }
      case 'storeFault': {
        const c = rng.pick(alive);
        c.failNextCommit = true;
        log(`${c.name}'s next store commit will throw`);
        return;
      }
      case 'evict':
        return evict(rng.pick(clients));
      case 'backup':
        backup = { data: server!.sqlite.serialize(), processed: ledger.processed.length };
        log('server backup taken');
        return;
      case 'restore':
        return restoreBackup();
    }
  }

  /** The invariants that hold at every step. */
  async function checkStep(): Promise<void> {
    if (late) throw late;
    for (const [id, last] of serverLastMutationIDs(server!.sqlite)) {
      const owner = clients.find((c) => c.labels.has(id));
      serverLast.check("the server's lastMutationID", owner?.label(id) ?? id, last);
    }
    for (const c of clients) {
      if (!c.app) continue;
      const now = await outboxOf(c);
      for (const tag of now) {
        if (c.retired.has(tag))
          throw new Violation(`${tag} came back into ${c.name}'s outbox after leaving it`);
        if (ledger.tags.get(tag)?.failedLocally)
          throw new Violation(`${tag} is queued although its commit failed`);
      }
      const kept = new Set(now);
      for (const tag of c.outbox) if (!kept.has(tag)) c.retired.add(tag);
      c.outbox = now;
    }
  }

  /** Heals everything and runs until every queue is empty and every client pulled the final state. */
  async function heal(): Promise<void> {
    log('the network heals');
    for (const c of clients) {
      network.setOnline(c.index, true);
      c.failNextCommit = false;
      if (!c.app) await start(c);
      else if (c.released) {
        c.handles[1] = shared(c);
        c.released = false;
      }
    }
    const limit = clock.now() + HEAL_LIMIT_MS;
    const drain = async (done: () => boolean, what: string) => {
      for (;;) {
        await settle();
        if (network.queue.length > 0) {
          const p = network.queue[0]!;
          const d = describe(p);
          log(`deliver ${d} → ${await network.deliver(0, 'none', rng)}`);
          continue;
        }
        if (done()) return;
        if (!(await tick(limit))) {
          const states = clients.map((c) => {
            const s = c.app!.status;
            return `${c.name}: ${s.pending} pending, last error ${s.lastError ? `${s.lastError.code}: ${s.lastError.message}` : 'none'}`;
          });
          throw new Violation(
            `${what} after ${HEAL_LIMIT_MS / 60_000} min of a healthy network (${states.join('; ')})`,
          );
        }
      }
    };
    await drain(() => clients.every((c) => c.app!.pendingCount === 0), 'a queue is stuck');
    let refreshed = 0;
    const all = clients.flatMap((c) => c.handles);
    for (const h of all) {
      h.refresh().then(
        () => refreshed++,
        (e: unknown) => {
          late ??= new Violation(`refreshing ${h.path} failed on a healthy network: ${errorMessage(e)}`);
          refreshed++;
        },
      );
    }
    await drain(() => refreshed === all.length, 'a refresh never finished');
    await checkStep();
  }

  async function checkEnd(): Promise<void> {
    ledger.checkNothingLost();
    const items = serverItems(server!.sqlite);
    const counts = appliedCounts(server!.sqlite);
    for (const p of ledger.processed) {
      if ((counts.get(p.tag) ?? 0) !== (p.ok ? 1 : 0)) {
        throw new Violation(`the server's data shows ${p.tag} applied ${counts.get(p.tag) ?? 0} times`);
      }
    }
    for (const c of clients) {
      const app = c.app!;
      if (app.pendingCount !== 0) throw new Violation(`${c.name} still has ${app.pendingCount} pending`);
      const local = await app.query.items.orderBy('id').run();
      const mine = items.filter((i) => i.owner === c.user || i.reader === c.user);
      sameRows(`${c.name} (${c.user}) did not converge to the server`, local, mine);
      sameRows(`${c.name} holds server-only rows`, await app.query.ops.run(), []);
      // Rows only a temporary resource holds stay in memory, never in the store.
      const kept = c.temporary ? local.filter((i) => i.owner === c.user) : local;
      sameRows(`${c.name}'s memory differs from its store`, kept, await storedItems(c));
    }
  }

  /** The items a fresh start on a copy of the client's store would show. */
  async function storedItems(c: SimClient): Promise<unknown[]> {
    const snap = await c.inner.load();
    const copy = memoryStore();
    await copy.open('sim');
    await copy.commit({ putPages: snap.pages, putOutbox: snap.outbox, putMeta: snap.meta });
    const replica = await Replica.open(copy, 'sim', simSchema, simMutators.defs);
    return [...replica.db.table('items').rows.values()].sort((a, b) =>
      String(a.id).localeCompare(String(b.id)),
    );
  }

  let violation: string | undefined;
  try {
    server = await simServer(new BetterSqlite3(':memory:'), (e) => serverErrors.push(e));
    for (const c of clients) c.temporary = rng.chance(0.5);
    for (const c of clients) await start(c);
    for (let i = 0; i < (opts.steps ?? 30); i++) {
      await step();
      await settle();
      await checkStep();
    }
    await heal();
    await checkEnd();
  } catch (e) {
    violation =
      e instanceof Violation ? e.message : `the run threw: ${e instanceof Error ? e.stack : String(e)}`;
    log(`VIOLATION: ${violation}`);
  } finally {
    for (const c of clients) await c.app?.close().catch(() => {});
    Date.now = realNow;
  }
  const finalItems = server ? serverItems(server.sqlite) : [];
  server?.sqlite.close();
  return {
    seed: opts.seed,
    ok: violation === undefined,
    ...(violation === undefined ? {} : { violation }),
    trace,
    tail: trace.slice(-(opts.tail ?? 30)),
    requests,
    finalItems,
  };
}

/** A failure as the CLI and the tests print it: the seed to replay, the violation, the last events. */
export function report(r: SimResult): string {
  return [
    `seed ${r.seed} failed: ${r.violation}`,
    `replay: npm run sim -- --seed ${r.seed} --runs 1`,
    ...r.tail.map((e) => `  ${e}`),
  ].join('\n');
}
