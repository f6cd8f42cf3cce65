/**
 * The simulated network between the clients and the server. Requests queue up as packets; the
 * simulator decides when each is delivered (possibly out of order) and with which fault. The server is
 * called one request at a time, and a request's answer reaches its client only when delivered, so a
 * run depends on nothing but its seed.
 */
import type { FetchFn } from '../sync/http.js';
import type { Prng } from './prng.js';

export type NetFault =
  | 'none'
  | 'drop-request' // never reaches the server
  | 'drop-response' // the server handles it (and commits); the client hears a network failure
  | 'duplicate' // the server receives it twice
  | 'replay-later' // answered now, and a copy reaches the server again later (reordering)
  | 'server-error' // 500 without reaching the server
  | 'rate-limit' // 429 with a Retry-After of 0–3 s
  | 'malformed' // a 200 whose body is not the protocol's (sometimes after the server handled it)
  | 'hang'; // no answer ever (sometimes after the server handled it): the client must time out

export interface Packet {
  readonly id: number;
  readonly client: number;
  /** Which start of the client sent it: answers to a crashed instance go nowhere. */
  readonly instance: number;
  readonly kind: 'push' | 'pull';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Absent for a copy replayed later: nobody waits for its answer. */
  readonly answer?: { resolve(r: Response): void; reject(e: unknown): void };
}

export interface ServerAnswer {
  readonly status: number;
  readonly text: string;
  readonly headers: Record<string, string>;
}

/** A response as the client reads it (status, headers, text), with no stream underneath. */
export function fakeResponse(status: number, text: string, headers: Record<string, string> = {}): Response {
  const h = new Headers(headers);
  return { status, ok: status === 200, headers: h, text: () => Promise.resolve(text) } as unknown as Response;
}

export interface NetworkHooks {
  /** Runs the request on the server; called for every copy that reaches it. */
  serve(p: Packet): Promise<ServerAnswer>;
  /** Whether the instance that sent `p` is still running. */
  alive(p: Packet): boolean;
  /** The answer the client gets (after faults), for the invariants. */
  answered(p: Packet, a: ServerAnswer): void;
}

export class SimNetwork {
  readonly queue: Packet[] = [];
  private readonly offline = new Set<number>();
  private nextID = 0;
  private readonly hooks: NetworkHooks;

  constructor(hooks: NetworkHooks) {
    this.hooks = hooks;
  }

  /** The `fetch` of one client instance: an offline client fails at once, like a browser. */
  fetchFor(client: number, instance: number): FetchFn {
    return (url, init) => {
      if (this.offline.has(client)) return Promise.reject(new TypeError('fetch failed (offline)'));
      return new Promise<Response>((resolve, reject) => {
        this.queue.push({
          id: ++this.nextID,
          client,
          instance,
          kind: url.endsWith('/push') ? 'push' : 'pull',
          url,
          headers: { ...(init.headers as Record<string, string>) },
          body: String(init.body),
          answer: { resolve, reject },
        });
      });
    };
  }

  setOnline(client: number, online: boolean): void {
    if (online) this.offline.delete(client);
    else this.offline.add(client);
  }

  isOnline(client: number): boolean {
    return !this.offline.has(client);
  }

  /** Takes packet `index` off the queue and delivers it with `fault`; returns what happened, for the trace. */
  async deliver(index: number, fault: NetFault, rng: Prng): Promise<string> {
    const p = this.queue.splice(index, 1)[0]!;
    const answer = (a: ServerAnswer) => {
      if (!p.answer || !this.hooks.alive(p)) return;
      this.hooks.answered(p, a);
      p.answer.resolve(fakeResponse(a.status, a.text, a.headers));
    };
    const fail = (why: string) => {
      if (p.answer && this.hooks.alive(p)) p.answer.reject(new TypeError(`fetch failed (${why})`));
    };
    switch (fault) {
      case 'none': {
        const a = await this.hooks.serve(p);
        answer(a);
        return `${a.status}`;
      }
      case 'drop-request':
        fail('dropped request');
        return 'dropped before the server';
      case 'drop-response': {
        const a = await this.hooks.serve(p);
        fail('dropped response');
        return `${a.status}, answer dropped`;
      }
      case 'duplicate': {
        const first = await this.hooks.serve(p);
        const second = await this.hooks.serve(p);
        answer(second);
        return `${first.status} then ${second.status}`;
      }
      case 'replay-later': {
        const a = await this.hooks.serve(p);
        const { answer: _, ...copy } = p;
        this.queue.push(copy);
        answer(a);
        return `${a.status}, a copy replays later`;
      }
      case 'server-error':
        answer({ status: 500, text: '{"error":{"code":"SERVER_ERROR","message":"injected"}}', headers: {} });
        return '500 injected';
      case 'rate-limit': {
        const s = rng.int(4);
        answer({
          status: 429,
          text: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'slow down', retryAfter: s } }),
          headers: { 'retry-after': String(s), 'content-type': 'application/json' },
        });
        return `429 retry after ${s} s`;
      }
      case 'malformed': {
        if (rng.chance(0.5)) {
          answer({ status: 200, text: '<html>proxy error</html>', headers: {} });
          return 'malformed 200 (not JSON)';
        }
        const a = await this.hooks.serve(p);
        const cut = a.text.slice(0, rng.int(Math.max(1, a.text.length)));
        answer({
          status: 200,
          text: rng.chance(0.5) ? cut : '{"protocolVersion":1,"results":"nope"}',
          headers: {},
        });
        return `${a.status}, answered with a malformed 200`;
      }
      case 'hang': {
        if (rng.chance(0.5)) {
          const a = await this.hooks.serve(p);
          return `${a.status}, never answered`;
        }
        return 'lost, never answered';
      }
    }
  }
}
