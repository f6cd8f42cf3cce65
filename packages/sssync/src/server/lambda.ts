/**
 * `sssync/server/lambda`: a Fetch-API handler as an AWS Lambda handler behind API Gateway — HTTP API
 * and function URL events (payload format 2.0) and REST API events (1.0): the event becomes a
 * `Request`, the `Response` the result, with base64 bodies, cookies and multi-value headers.
 */

/** API Gateway HTTP API / function URL event, payload format 2.0 (the fields the adapter reads). */
export interface LambdaEventV2 {
  readonly version: '2.0';
  readonly rawPath: string;
  readonly rawQueryString?: string;
  readonly cookies?: readonly string[];
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: {
    readonly domainName?: string;
    readonly http: { readonly method: string };
  };
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/** API Gateway REST API event, payload format 1.0 (the fields the adapter reads). */
export interface LambdaEventV1 {
  readonly version?: '1.0';
  readonly httpMethod: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly requestContext?: { readonly domainName?: string };
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

export interface LambdaResultV2 {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

export interface LambdaResultV1 {
  statusCode: number;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export interface LambdaHandler {
  (event: LambdaEventV2): Promise<LambdaResultV2>;
  (event: LambdaEventV1): Promise<LambdaResultV1>;
}

/** `export const handler = toLambdaHandler(createSyncHandler({ … }))`. */
export function toLambdaHandler(handler: (request: Request) => Promise<Response>): LambdaHandler {
  return (async (event: LambdaEventV2 | LambdaEventV1) => {
    if ('httpMethod' in event) return resultV1(await handler(requestV1(event)));
    return resultV2(await handler(requestV2(event)));
  }) as LambdaHandler;
}

function requestV2(event: LambdaEventV2): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  // Format 2.0 moves the Cookie header into `cookies`.
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  const host = headers.get('host') ?? event.requestContext.domainName ?? 'localhost';
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return toRequest(
    event.requestContext.http.method,
    `https://${host}${event.rawPath}${query}`,
    headers,
    event,
  );
}

function requestV1(event: LambdaEventV1): Request {
  const headers = new Headers();
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    for (const value of values ?? []) headers.append(name, value);
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && !headers.has(name)) headers.set(name, value);
  }
  const params = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(multi)) for (const v of values ?? []) params.append(name, v);
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && !(name in multi)) params.append(name, value);
  }
  const host = headers.get('host') ?? event.requestContext?.domainName ?? 'localhost';
  const query = params.size > 0 ? `?${params}` : '';
  return toRequest(event.httpMethod, `https://${host}${event.path}${query}`, headers, event);
}

function toRequest(
  method: string,
  url: string,
  headers: Headers,
  event: { readonly body?: string | null; readonly isBase64Encoded?: boolean },
): Request {
  const hasBody = event.body != null && method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : event.body!) : null;
  return new Request(url, { method, headers, body });
}

/** Bodies API Gateway may pass as text; anything else goes base64 (binary media). */
const TEXT = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

async function body(response: Response): Promise<{ body: string; isBase64Encoded: boolean }> {
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  const text = bytes.length === 0 || (TEXT.test(type) && !response.headers.has('content-encoding'));
  return text
    ? { body: bytes.toString('utf8'), isBase64Encoded: false }
    : { body: bytes.toString('base64'), isBase64Encoded: true };
}

function singleHeaders(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  return headers;
}

async function resultV2(response: Response): Promise<LambdaResultV2> {
  const cookies = response.headers.getSetCookie();
  return {
    statusCode: response.status,
    headers: singleHeaders(response),
    ...(cookies.length > 0 ? { cookies } : {}),
    ...(await body(response)),
  };
}

async function resultV1(response: Response): Promise<LambdaResultV1> {
  const headers = singleHeaders(response);
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) multiValueHeaders['set-cookie'] = cookies;
  return { statusCode: response.status, headers, multiValueHeaders, ...(await body(response)) };
}
