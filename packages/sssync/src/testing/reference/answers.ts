/** The HTTP answers of PROTOCOL.md: a 200 with its JSON, or an error body (§8) with its status. */
import { ERROR_STATUS, type ErrorCode } from '../../protocol/error-body.js';

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function ok(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: JSON_HEADERS });
}

/** An error answer: `{ error: { code, message, ...extra } }` with the code's status. */
export function errorAnswer(
  code: ErrorCode,
  message: string,
  extra: Readonly<Record<string, unknown>> = {},
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify({ error: { code, message, ...extra } }), {
    status: ERROR_STATUS[code],
    headers: { ...JSON_HEADERS, ...headers },
  });
}

/** Thrown by a step that refuses the request; the handler answers with its response. */
export class Refused extends Error {
  readonly response: Response;

  constructor(response: Response) {
    super(`refused with ${response.status}`);
    this.response = response;
  }
}

export function refuse(...args: Parameters<typeof errorAnswer>): never {
  throw new Refused(errorAnswer(...args));
}
