// End-to-end encryption helpers for SSSync, with nothing but Web Crypto (`globalThis.crypto.subtle`:
// browsers, Node 20+, Deno, workers). The sync engine never sees plaintext: rows hold `ciphertext` and
// `iv` (base64), mutation arguments are built from them, and decryption happens on the client, after
// the query, in `decryptedQuery`. Nothing here depends on a table's shape; see notes.mjs for an app.

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. Raise it as hardware gets faster (old keys need the old count). */
export const PBKDF2_ITERATIONS = 600_000;

/** Every failure here: `code` is `WRONG_KEY` (a row that does not decrypt) or `BAD_INPUT`. */
export class E2EEError extends Error {
  /** @param {'WRONG_KEY' | 'BAD_INPUT'} code @param {string} message @param {unknown} [cause] */
  constructor(code, message, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'E2EEError';
    this.code = code;
  }
}

/**
 * The user's salt: SHA-256 of an app-specific label and the user id. Deterministic, so every device of
 * the user derives the same key offline with no round trip and no salt row to sync (or to race on);
 * distinct per user and per app, which is all a salt must be. It is not secret, and an attacker who
 * targets one user can start guessing before stealing any data — the iteration count is what slows that.
 * @param {string} app @param {string} userID
 */
export async function userSalt(app, userID) {
  return new Uint8Array(await subtle.digest('SHA-256', encoder.encode(`${app}\u0000salt\u0000${userID}`)));
}

/**
 * AES-GCM-256 key from a passphrase: PBKDF2-HMAC-SHA256 over `userSalt(app, userID)`. The key is not
 * extractable: code can use it but not read it (or persist it by accident).
 * @param {string} passphrase @param {{ app: string, userID: string, iterations?: number }} opts
 * @returns {Promise<CryptoKey>}
 */
export async function deriveKey(passphrase, { app, userID, iterations = PBKDF2_ITERATIONS }) {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new E2EEError('BAD_INPUT', 'The passphrase must be a non-empty string.');
  }
  const material = await subtle.importKey('raw', encoder.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: await userSalt(app, userID), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/**
 * Encrypts a JSON value with a fresh random 96-bit IV (never reuse one with a key: GCM breaks). `context`
 * (say `notes/<id>/<owner>`) is authenticated but not encrypted (GCM's additional data): a row's
 * ciphertext only decrypts under its own id and owner, so a server that swaps ciphertexts between rows
 * or hands a note to another owner is caught on decryption.
 * @param {CryptoKey} key @param {string} context @param {unknown} value
 * @returns {Promise<{ ciphertext: string, iv: string }>} base64 strings, fit for string columns
 */
export async function encryptJSON(key, context, value) {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const sealed = await subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(context) },
    key,
    encoder.encode(JSON.stringify(value)),
  );
  return { ciphertext: toBase64(new Uint8Array(sealed)), iv: toBase64(iv) };
}

/**
 * The value `encryptJSON` sealed. Throws `E2EEError` `WRONG_KEY` when it does not authenticate: another
 * passphrase, another context, or altered bytes (GCM cannot tell these apart, and says so).
 * @param {CryptoKey} key @param {string} context @param {{ ciphertext: string, iv: string }} sealed
 */
export async function decryptJSON(key, context, { ciphertext, iv }) {
  const params = { name: 'AES-GCM', iv: fromBase64(iv), additionalData: encoder.encode(context) };
  const data = fromBase64(ciphertext);
  let plain;
  try {
    plain = await subtle.decrypt(params, key, data);
  } catch (e) {
    throw new E2EEError(
      'WRONG_KEY',
      `Cannot decrypt ${context}: wrong passphrase, or the data was altered.`,
      e,
    );
  }
  return JSON.parse(decoder.decode(plain));
}

/** Base64 of 12 bytes (an IV), and of at least 16 bytes (a GCM tag and any ciphertext), for validators. */
export const IV_PATTERN = /^[A-Za-z0-9+/]{16}$/;
export const CIPHERTEXT_PATTERN = /^(?:[A-Za-z0-9+/]{4}){5,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Live plaintext over a query of encrypted rows. `decrypt(row)` turns one row into what the UI shows;
 * it runs once per row version (a row is decrypted again only when its `iv` or `ciphertext` changed),
 * and unchanged rows keep their plaintext object's identity between results. `where` and `orderBy`
 * filter and sort the plaintext on the client: the server and the query engine only see ciphertext,
 * so anything that needs the content (search, sort by title) must happen here, over the rows the
 * query (scoped by owner or id) brought.
 * @template R, P
 * @param {{ run(): Promise<readonly R[]>, subscribe(listener: (rows: readonly R[]) => void): () => void }} query
 * @param {(row: R) => Promise<P>} decrypt
 * @param {{ where?: (p: P) => boolean, orderBy?: (a: P, b: P) => number }} [options]
 */
export function decryptedQuery(query, decrypt, options = {}) {
  /** @type {Map<unknown, { ciphertext: unknown, iv: unknown, plain: Promise<P> }>} */
  let cache = new Map();
  const plaintext = async (/** @type {readonly R[]} */ rows) => {
    const next = new Map();
    const all = rows.map((row) => {
      const { id, ciphertext, iv } = /** @type {any} */ (row);
      const hit = cache.get(id);
      const entry =
        hit && hit.iv === iv && hit.ciphertext === ciphertext
          ? hit
          : { ciphertext, iv, plain: decrypt(row).then(Object.freeze) };
      next.set(id, entry);
      return entry.plain;
    });
    cache = next; // rows that left the result are forgotten
    // The first row in result order that does not decrypt, not whichever decryption fails first.
    const settled = await Promise.allSettled(all);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    let out = settled.map((s) => /** @type {PromiseFulfilledResult<P>} */ (s).value);
    if (options.where) out = out.filter(options.where);
    if (options.orderBy) out = [...out].sort(options.orderBy);
    return Object.freeze(out);
  };
  return {
    /** The plaintext rows now; rejects with the first row that does not decrypt. */
    run: async () => plaintext(await query.run()),
    /**
     * Calls `listener` with the plaintext rows now and after every change, in order (a result that a
     * newer one overtook while decrypting is dropped). A row that does not decrypt calls `onError`
     * instead, for that result: a UI shows "wrong passphrase" rather than a partial list.
     * @param {(rows: readonly P[]) => void} listener @param {(error: unknown) => void} [onError]
     */
    subscribe(listener, onError = (e) => console.error(e)) {
      let latest = 0;
      let stopped = false;
      const stop = query.subscribe((rows) => {
        const n = ++latest;
        plaintext(rows).then(
          (out) => !stopped && n === latest && listener(out),
          (e) => !stopped && n === latest && onError(e),
        );
      });
      return () => {
        stopped = true;
        stop();
      };
    },
  };
}

/** @param {Uint8Array} bytes */
function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** @param {string} text */
function fromBase64(text) {
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch (e) {
    throw new E2EEError('BAD_INPUT', 'Not base64: a ciphertext or IV was altered.', e);
  }
}
