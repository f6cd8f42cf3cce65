import { parseErrorBody } from '../protocol/parse.js';
import { errorMessage, SSSyncError, type SSSyncErrorCode } from '../util/errors.js';
import type { SyncClock } from './clock.js';

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;
export type HeadersFn = () => Record<string, string> | Promise<Record<string, string>>;

export interface RequestTimeout {
  readonly ms: number;
  readonly clock: Pick<SyncClock, 'setTimeout' | 'clearTimeout'>;
}

export interface HttpExchange {
  readonly url: string;
  readonly status: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly ms: number;
}

const STATUS_CODES: Readonly<Record<number, SSSyncErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'UNKNOWN_RESOURCE',
  409: 'VERSION_MISMATCH',
  413: 'TOO_LARGE',
  429: 'RATE_LIMITED',
};

/**
 * POSTs one protocol message and returns the parsed JSON of a 200 answer. Everything else becomes an
 * `SSSyncError`: `NETWORK` when the request did not get an answer, the server's error code (mapped to
 * ours, with its fields in `details`) for an error answer, `PROTOCOL` for an answer that is not JSON.
 */
export async function postJSON(
  fetchFn: FetchFn,
  url: string,
  body: unknown,
  headers: HeadersFn | undefined,
  onExchange?: (x: HttpExchange) => void,
  timeout?: RequestTimeout,
): Promise<unknown> {
  const text = JSON.stringify(body);
  const started = Date.now();
  let response: Response;
  let responseText: string;
  const abort = new AbortController();
  let timer: unknown;
  try {
    const exchange = async () => {
      const extra = headers ? await headers() : {};
      const r = await fetchFn(url, {
        method: 'POST',
        headers: { ...extra, 'content-type': 'application/json' },
        body: text,
        signal: abort.signal,
      });
      return [r, await r.text()] as const;
    };
    const timedOut = new Promise<never>((_, reject) => {
      if (!timeout) return;
      timer = timeout.clock.setTimeout(() => {
        reject(new Error(`no answer within ${timeout.ms / 1000} s`));
        abort.abort();
      }, timeout.ms);
    });
    [response, responseText] = await Promise.race([exchange(), timedOut]);
  } catch (e) {
    if (e instanceof SSSyncError) throw e;
    throw new SSSyncError('NETWORK', `Could not reach ${url}: ${errorMessage(e)}. Will retry.`, { cause: e });
  } finally {
    if (timer !== undefined) timeout?.clock.clearTimeout(timer);
  }
  onExchange?.({
    url,
    status: response.status,
    requestBytes: byteLength(text),
    responseBytes: byteLength(responseText),
    ms: Date.now() - started,
  });
  let json: unknown;
  try {
    json = JSON.parse(responseText);
  } catch (e) {
    if (response.status >= 500) throw serverError(response.status, url);
    throw new SSSyncError('PROTOCOL', `${url} answered ${response.status} with a body that is not JSON.`, {
      cause: e,
      details: { status: response.status },
    });
  }
  if (response.status === 200) return json;
  if (response.status >= 500) throw serverError(response.status, url, json);
  let detail: ReturnType<typeof parseErrorBody>['error'];
  try {
    detail = parseErrorBody(json).error;
  } catch (e) {
    throw new SSSyncError('PROTOCOL', `${url} answered ${response.status} with a malformed error body.`, {
      cause: e,
      details: { status: response.status },
    });
  }
  const retryHeader = Number(response.headers.get('retry-after'));
  const code: SSSyncErrorCode =
    detail.code === 'MUTATION_ID_GAP' ? 'MUTATION_ID_GAP' : (STATUS_CODES[response.status] ?? 'SERVER_ERROR');
  throw new SSSyncError(
    code,
    `The server refused the request (${response.status} ${detail.code}): ${detail.message}`,
    {
      details: {
        ...detail,
        serverCode: detail.code,
        status: response.status,
        ...(Number.isFinite(retryHeader) && retryHeader >= 0 ? { retryAfter: retryHeader } : {}),
      },
    },
  );
}

function serverError(status: number, url: string, body?: unknown): SSSyncError {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return new SSSyncError(
    'SERVER_ERROR',
    `${url} failed (${status})${typeof message === 'string' ? `: ${message}` : ''}. Will retry.`,
    { details: { status } },
  );
}

/** The UTF-8 size of `s` (as `TextEncoder` would write it), counted without encoding a copy. */
export function byteLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: two units, four bytes
      i++;
    } else n += 2; // three bytes (a lone surrogate is written as U+FFFD, three bytes too)
  }
  return n;
}
