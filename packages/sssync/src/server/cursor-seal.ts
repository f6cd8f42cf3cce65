/**
 * Cursors carry an HMAC-SHA256 tag (truncated to 128 bits) under a random secret of the database, so a
 * client can only send back cursors the server made: a forged position cannot make a pull list ids
 * of rows outside the user's scope. Web Crypto, so it runs in Node and in edge runtimes alike.
 */
const TAG_CHARS = 22;

/** Characters a tag adds to a cursor. */
export const SEAL_LENGTH = TAG_CHARS + 1;

/** Tags kept per handler (cursor bodies are short: well under a megabyte). */
const RECENT_TAGS = 4096;

export interface CursorSeal {
  seal(body: string): Promise<string>;
  /** The body of a cursor this server sealed; `undefined` for anything else. */
  open(cursor: string): Promise<string | undefined>;
}

export async function cursorSeal(secret: string): Promise<CursorSeal> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  // A tag depends only on the body (the key never changes): the tags of recently sealed bodies are
  // kept, since clients at the head pull with, and are answered with, the same few cursors (a Web
  // Crypto call costs tens of microseconds). Only bodies the server sealed are kept, not clients'.
  const recent = new Map<string, string>();
  const tag = async (body: string, keep: boolean): Promise<string> => {
    const known = recent.get(body);
    if (known !== undefined) return known;
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body)));
    const computed = base64url(mac.subarray(0, 16)).slice(0, TAG_CHARS);
    if (keep) {
      if (recent.size >= RECENT_TAGS) recent.delete(recent.keys().next().value!);
      recent.set(body, computed);
    }
    return computed;
  };
  return {
    seal: async (body) => `${body}.${await tag(body, true)}`,
    open: async (cursor) => {
      const dot = cursor.lastIndexOf('.');
      if (dot < 0) return undefined;
      const body = cursor.slice(0, dot);
      return equal(cursor.slice(dot + 1), await tag(body, false)) ? body : undefined;
    },
  };
}

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Compares in time independent of where the strings differ. */
function equal(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
