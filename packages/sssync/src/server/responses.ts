/** The handler's HTTP answers: JSON with `Cache-Control: no-store`, and PROTOCOL.md §8 error bodies. */
import type { ErrorCode, ErrorDetail } from '../protocol/error-body.js';
import { ERROR_STATUS } from '../protocol/error-body.js';
import { PROTOCOL_VERSION } from '../protocol/limits.js';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

type Extra = Omit<ErrorDetail, 'code' | 'message'>;

export function errorResponse(
  code: ErrorCode,
  message: string,
  extra: Extra = {},
  options: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return jsonResponse(
    options.status ?? ERROR_STATUS[code],
    { error: { code, message, ...extra } },
    options.headers,
  );
}

export function badRequest(message: string, field: string): Response {
  return errorResponse('BAD_REQUEST', message, { field });
}

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export function versionMismatch(
  range: VersionRange,
  field: 'protocolVersion' | 'schemaVersion',
  got: unknown,
): Response {
  const message =
    field === 'protocolVersion'
      ? `This server speaks protocol version ${PROTOCOL_VERSION}; this client speaks ${String(got)}. Update the app.`
      : `This server serves schema versions ${range.min} to ${range.max}; this client has schema version ${String(got)}. ` +
        (Number(got) > range.max ? 'The server is older than the app: retry later.' : 'Update the app.');
  return errorResponse('VERSION_MISMATCH', message, {
    field,
    supportedProtocolVersions: [PROTOCOL_VERSION],
    minSchemaVersion: range.min,
    maxSchemaVersion: range.max,
  });
}

export const serverError = (status = 500): Response =>
  errorResponse(
    'SERVER_ERROR',
    status === 503 ? 'The server is busy. Retry later.' : 'The server failed.',
    {},
    {
      status,
    },
  );
