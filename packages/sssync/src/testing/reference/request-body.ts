/** Steps 2 and 4 of PROTOCOL.md §2.2: the content type and byte limit, then UTF-8 and JSON syntax. */
import { refuse } from './answers.js';

/** The body's bytes; 400 for another content type, 413 past `maxBytes` (read no further than that). */
export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    refuse('BAD_REQUEST', 'Send the body as JSON with the header Content-Type: application/json.');
  }
  const tooLarge = () =>
    refuse('TOO_LARGE', `The body is over ${maxBytes} bytes: send fewer mutations per push.`, {
      limit: maxBytes,
    });
  if (Number(request.headers.get('content-length')) > maxBytes) tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.byteLength;
    if (size > maxBytes) {
      await reader?.cancel();
      tooLarge();
    }
    chunks.push(next.value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** The parsed body; 400 when it is not UTF-8 or not JSON. `JSON.parse` keeps `__proto__` an own key. */
export function parseJSONBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse('BAD_REQUEST', 'The body is not UTF-8: send JSON text encoded as UTF-8.');
  }
  try {
    return JSON.parse(text);
  } catch {
    return refuse('BAD_REQUEST', 'The body is not JSON: send a JSON object.');
  }
}
