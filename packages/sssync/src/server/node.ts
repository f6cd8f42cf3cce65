/**
 * Serves a Fetch-API handler with Node's `http.createServer(toNodeHandler(handler))`. Only types come
 * from `node:http`, so importing `sssync/server` stays fine in edge runtimes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function toNodeHandler(
  handler: (request: Request) => Promise<Response>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    respond(handler, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"SERVER_ERROR","message":"The server failed."}}');
    });
  };
}

async function respond(
  handler: (request: Request) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const request = new Request(url, {
    method,
    headers,
    ...(hasBody ? { body: bodyStream(req), duplex: 'half' } : {}),
  } as RequestInit);
  const response = await handler(request);
  const out = Object.fromEntries(response.headers);
  // Answering before the body was read (413): close the connection rather than reuse it mid-upload.
  if (hasBody && !req.readableEnded) out.connection = 'close';
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** The request body as a stream, paused while the handler does not read, dropped when it stops. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.on('end', () => {
        if (done) return;
        done = true;
        controller.close();
      });
      req.on('error', (e) => {
        if (done) return;
        done = true;
        controller.error(e);
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      // The handler stopped reading (the body is over the limit): let the rest drain unread.
      done = true;
      req.resume();
    },
  });
}
