/** Reads a request body up to a byte limit, without trusting `Content-Length` to tell the truth. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array | 'too-large'> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    if (declared <= limit * LINGER) await drain(request.body, limit * LINGER);
    return 'too-large';
  }
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.releaseLock();
      await drain(request.body, limit * LINGER - size);
      return 'too-large';
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * A body somewhat over the limit is read to its end before the 413 (a lingering close): an HTTP/1.1
 * client that sends its whole body before reading the answer (workerd's and undici's do) would
 * otherwise see the connection reset instead of the answer. Bigger bodies are cut off.
 */
const LINGER = 4;

async function drain(body: ReadableStream<Uint8Array> | null, budget: number): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (let left = budget; left > 0; ) {
      const { done, value } = await reader.read();
      if (done) return;
      left -= value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away: nothing to answer.
  }
}
