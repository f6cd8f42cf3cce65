/**
 * The recommended handler behind serverless platforms: AWS Lambda through `sssync/server/lambda`
 * (API Gateway events as AWS documents them, payload formats 2.0 and 1.0), and the `(Request) =>
 * Response` export that Vercel and Netlify functions call — each with the conformance suite.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectConformant } from '../../conformance/expect-conformant.js';
import { sqliteDatabase } from '../dialects/sqlite.js';
import { createSyncHandler } from '../handler.js';
import { type LambdaEventV1, type LambdaEventV2, type LambdaResultV2, toLambdaHandler } from '../lambda.js';
import { testModeOptions } from '../test-mode.js';

const database = sqliteDatabase(':memory:');
const errors: unknown[] = [];
const sync = createSyncHandler({ ...testModeOptions(), database, onError: (e) => errors.push(e) });
afterAll(() => database.close());

/** The HTTP API example event of the AWS Lambda developer guide (payload format 2.0), as a push. */
function docsEventV2(body: string): LambdaEventV2 {
  const event = {
    version: '2.0' as const,
    routeKey: '$default',
    rawPath: '/sync/push',
    rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
    cookies: ['cookie1=a', 'cookie2=b'],
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer user-lambda',
      header1: 'value1',
      header2: 'value1,value2',
      host: 'id.execute-api.us-east-1.amazonaws.com',
    },
    queryStringParameters: { parameter1: 'value1,value2', parameter2: 'value' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api-id',
      domainName: 'id.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'id',
      http: {
        method: 'POST',
        path: '/sync/push',
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'agent',
      },
      requestId: 'id',
      routeKey: '$default',
      stage: '$default',
      time: '12/Mar/2020:19:03:58 +0000',
      timeEpoch: 1583348638390,
    },
    body: Buffer.from(body).toString('base64'),
    pathParameters: { parameter1: 'value1' },
    isBase64Encoded: true,
    stageVariables: { stageVariable1: 'value1', stageVariable2: 'value2' },
  };
  return event;
}

const push = (group: string) =>
  JSON.stringify({
    protocolVersion: 1,
    schemaVersion: 1,
    clientGroupID: group,
    clientID: `${group}-c`,
    mutations: [{ id: 1, name: 'putItem', args: [`${group}-i`, 'From Lambda', 1], timestamp: 1 }],
  });

/** What a Fetch handler saw, as JSON, with two cookies and a binary body beside it. */
async function echo(request: Request): Promise<Response> {
  const headers = new Headers({
    'content-type': 'application/octet-stream',
    'x-seen': JSON.stringify({
      method: request.method,
      url: request.url,
      headers: [...request.headers],
      body: await request.text(),
    }),
  });
  headers.append('set-cookie', 'a=1; Path=/');
  headers.append('set-cookie', 'b=2; Path=/; HttpOnly');
  return new Response(new Uint8Array([0, 255, 1, 254]), { status: 201, headers });
}

describe('AWS Lambda (sssync/server/lambda)', () => {
  it('runs a push from the documented HTTP API event (base64 body) and answers JSON as text', async () => {
    const result = await toLambdaHandler(sync)(docsEventV2(push('lambda-docs')));
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(result.body)).toMatchObject({ lastMutationIDs: { 'lambda-docs-c': 1 } });
  });

  it('maps format 2.0: cookies, query, host, comma-joined headers in; cookies and binary bodies out', async () => {
    const result = await toLambdaHandler(echo)(docsEventV2('plain'));
    expect(result.statusCode).toBe(201);
    expect(result.cookies).toEqual(['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    expect(result.headers['set-cookie']).toBeUndefined();
    expect(result.isBase64Encoded).toBe(true);
    expect([...Buffer.from(result.body, 'base64')]).toEqual([0, 255, 1, 254]);
    const seen = JSON.parse(result.headers['x-seen']!);
    expect(seen.url).toBe(
      'https://id.execute-api.us-east-1.amazonaws.com/sync/push?parameter1=value1&parameter1=value2&parameter2=value',
    );
    expect(Object.fromEntries(seen.headers)).toMatchObject({
      cookie: 'cookie1=a; cookie2=b',
      header2: 'value1,value2',
    });
    expect(seen.body).toBe('plain');
  });

  it('maps format 1.0 (REST API): multi-value headers and query in, multi-value headers out', async () => {
    const event = {
      version: '1.0' as const,
      resource: '/sync/{proxy+}',
      path: '/sync/push',
      httpMethod: 'POST',
      headers: { header1: 'value1', header2: 'value2', host: 'id.execute-api.us-east-1.amazonaws.com' },
      multiValueHeaders: { header1: ['value1'], header2: ['value1', 'value2'] },
      queryStringParameters: { parameter1: 'value1', parameter2: 'value' },
      multiValueQueryStringParameters: { parameter1: ['value1', 'value2'], parameter2: ['value'] },
      requestContext: { domainName: 'id.execute-api.us-east-1.amazonaws.com', stage: 'prod' },
      pathParameters: { proxy: 'push' },
      body: 'Hello from Lambda!',
      isBase64Encoded: false,
    };
    const result = await toLambdaHandler(echo)(event as LambdaEventV1);
    expect(result.statusCode).toBe(201);
    expect(result.multiValueHeaders['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    const seen = JSON.parse(result.headers['x-seen']!);
    expect(seen.url).toBe(
      'https://id.execute-api.us-east-1.amazonaws.com/sync/push?parameter1=value1&parameter1=value2&parameter2=value',
    );
    expect(Object.fromEntries(seen.headers)).toMatchObject({ header2: 'value1, value2' });
    expect(seen.body).toBe('Hello from Lambda!');
  });

  it('passes the conformance suite through API Gateway events (format 2.0, base64 bodies)', {
    timeout: 30_000,
  }, async () => {
    const lambda = toLambdaHandler(sync);
    // API Gateway's side: the request as an event, the handler's result as the HTTP answer.
    const viaApiGateway = async (input: string, init: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const headers = Object.fromEntries(request.headers);
      const bytes = Buffer.from(await request.arrayBuffer());
      const result: LambdaResultV2 = await lambda({
        version: '2.0',
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers: { ...headers, host: url.host },
        requestContext: { domainName: url.host, http: { method: request.method } },
        body: bytes.length > 0 ? bytes.toString('base64') : null,
        isBase64Encoded: bytes.length > 0,
      });
      const answer = new Headers(result.headers);
      for (const cookie of result.cookies ?? []) answer.append('set-cookie', cookie);
      const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
      return new Response(result.statusCode === 204 ? null : body, {
        status: result.statusCode,
        headers: answer,
      });
    };
    await expectConformant({
      url: 'https://id.execute-api.us-east-1.amazonaws.com/sync',
      fetch: viaApiGateway,
    });
    expect(errors).toEqual([]);
  });
});

describe('Vercel and Netlify functions (the handler is the export)', () => {
  // Vercel: `export const POST = handler` (a route `app/api/sync/[...path]/route.ts`, or `api/`).
  const vercel = { POST: sync };
  // Netlify Functions 2.0: `export default handler`, called with (request, context).
  const netlify: (request: Request, context: { params: Record<string, string> }) => Promise<Response> = sync;

  it('passes the conformance suite called as Netlify calls its functions', { timeout: 30_000 }, async () => {
    await expectConformant({
      url: 'https://site.netlify.app/sync',
      fetch: (input, init) => netlify(new Request(input, init), { params: {} }),
    });
  });

  it('answers a push called as Vercel calls a route’s POST export', async () => {
    const answer = await vercel.POST(
      new Request('https://app.vercel.app/api/sync/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer user-vercel' },
        body: push('vercel'),
      }),
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ lastMutationIDs: { 'vercel-c': 1 } });
  });
});
