/**
 * One run of the suite against one server: the base URL, the `fetch` to use, fresh ids (so runs can
 * share a server), and a record of every answer, which the last checks inspect as a whole.
 */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface Answer {
  /** What was sent, for failure details: "push with protocolVersion 2". */
  readonly what: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly json: unknown;
}

interface SendOptions {
  /** A value to send as JSON, or the exact body. */
  readonly json?: unknown;
  readonly raw?: string | Uint8Array<ArrayBuffer>;
  /** The Authorization header; none when null or left out. */
  readonly auth?: string | null;
  /** Default `application/json`; null sends none. */
  readonly contentType?: string | null;
  readonly method?: string;
}

/** A request that gets no answer this long fails its check rather than hanging the run. */
const TIMEOUT_MS = 60_000;

export class TestRun {
  readonly base: string;
  /** Every answer other than 200, for the error-body check. */
  readonly errorAnswers: Answer[] = [];
  /** Every 200, for the headers check. */
  readonly okAnswers: Answer[] = [];
  /** The error of every rejected mutation, as `what: error`. */
  readonly mutationErrors: { readonly what: string; readonly error: unknown }[] = [];
  private readonly fetchFn: FetchFn;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly runID = Math.random().toString(36).slice(2, 10);
  private counter = 0;

  constructor(url: string, fetchFn: FetchFn, headers: Readonly<Record<string, string>>) {
    this.base = url.replace(/\/+$/, '');
    this.fetchFn = fetchFn;
    this.headers = headers;
  }

  /** An id no other run or check uses: `<prefix>-<run>-<n>`. */
  fresh(prefix: string): string {
    return `${prefix}-${this.runID}-${++this.counter}`;
  }

  /** A fresh test-mode user (`user-<name>-<run>-<n>`), whose token is its id. */
  user(name: string): string {
    return this.fresh(`user-${name}`);
  }

  async send(endpoint: string, what: string, opts: SendOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...this.headers };
    const contentType = opts.contentType === undefined ? 'application/json' : opts.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    if (opts.auth != null) headers.authorization = opts.auth;
    const body = opts.raw ?? (opts.json === undefined ? undefined : JSON.stringify(opts.json));
    const init: RequestInit = {
      method: opts.method ?? 'POST',
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    };
    if (body !== undefined) init.body = body;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(`${this.base}/${endpoint}`, init);
      text = await response.text();
    } catch (e) {
      throw new Error(`${what}: no answer (${e instanceof Error ? e.message : String(e)})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const answer: Answer = { what, status: response.status, headers: response.headers, text, json };
    (answer.status === 200 ? this.okAnswers : this.errorAnswers).push(answer);
    return answer;
  }
}

export const bearer = (user: string): string => `Bearer ${user}`;
