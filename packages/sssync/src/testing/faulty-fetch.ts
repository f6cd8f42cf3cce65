/**
 * A `fetch` wrapper that injects network faults, for testing clients against a server in-process:
 * each request asks `plan` which fault (if any) to apply.
 */
export type Fault =
  | 'drop-request' // never reaches the server
  | 'drop-response' // the server handles it (and commits), the client hears nothing
  | 'duplicate' // the server receives it twice
  | 'replay-later' // it arrives now, and a copy arrives again before the next request (reordering)
  | 'server-error' // 500
  | 'rate-limit' // 429 with Retry-After: 0
  | 'malformed'; // a 200 with a body that is not the protocol's

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface FaultLog {
  readonly url: string;
  readonly fault: Fault | undefined;
}

export function faultyFetch(
  inner: FetchFn,
  plan: (url: string, n: number) => Fault | undefined,
): FetchFn & { readonly log: FaultLog[]; online: boolean } {
  const log: FaultLog[] = [];
  let replay: { input: string; init: RequestInit } | undefined;
  const f = (async (input: string, init: RequestInit) => {
    if (!f.online) throw new TypeError('fetch failed (offline)');
    if (replay) {
      const r = replay;
      replay = undefined;
      await inner(r.input, r.init).catch(() => {});
    }
    const fault = plan(input, log.length);
    log.push({ url: input, fault });
    switch (fault) {
      case 'drop-request':
        throw new TypeError('fetch failed (dropped request)');
      case 'drop-response':
        await inner(input, init);
        throw new TypeError('fetch failed (dropped response)');
      case 'duplicate':
        await inner(input, init);
        return inner(input, init);
      case 'replay-later':
        replay = { input, init };
        return inner(input, init);
      case 'server-error':
        return new Response('{"error":{"code":"SERVER_ERROR","message":"injected"}}', { status: 500 });
      case 'rate-limit':
        return new Response(
          JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'slow down', retryAfter: 0 } }),
          { status: 429, headers: { 'retry-after': '0', 'content-type': 'application/json' } },
        );
      case 'malformed':
        return new Response('{"protocolVersion":1,"results":"nope"}', { status: 200 });
      default:
        return inner(input, init);
    }
  }) as FetchFn & { log: FaultLog[]; online: boolean };
  Object.defineProperty(f, 'log', { value: log });
  f.online = true;
  return f;
}
