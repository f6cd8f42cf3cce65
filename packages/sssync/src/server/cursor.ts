/**
 * The server's cursors (opaque to clients; see docs/server.md for why they never skip):
 *
 * - `c1.<epoch>.<scope>.<V>`: complete — the client holds exactly the resource's rows as of version V.
 * - `p1.<epoch>.<scope>.<B>.<v>[.<table>.<id>]`: a page boundary — the client holds the rows up to
 *   position (v, table, id) of the pull's order, on top of what it held at base version B.
 *
 * `epoch` names the database (a reset or another database is not mistaken for this one), `scope`
 * is the scope's fingerprint. Cursors go out sealed (cursor-seal.ts). A cursor that does not fit any
 * of this is answered with a full load.
 */
import { PROTOCOL_LIMITS } from '../protocol/limits.js';
import { SEAL_LENGTH } from './cursor-seal.js';

export interface Position {
  readonly version: number;
  /** With `id`: the last row delivered at `version`; without: all of `version` was delivered. */
  readonly table?: string;
  readonly id?: string | number;
}

export interface Cursor {
  readonly base: number;
  /** `undefined` for a complete cursor: the position is then "all of `base`". */
  readonly position: Position | undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INT = /^(0|[1-9][0-9]{0,15})$/;

export function completeCursor(epoch: string, scope: string, version: number): string {
  return `c1.${epoch}.${scope}.${version}`;
}

/** A page cursor, or `undefined` when it would be longer than the protocol allows (a very long id). */
export function pageCursor(epoch: string, scope: string, base: number, at: Position): string | undefined {
  const tail = at.table === undefined ? '' : `.${at.table}.${JSON.stringify(at.id)}`;
  const cursor = `p1.${epoch}.${scope}.${base}.${at.version}${tail}`;
  return cursor.length + SEAL_LENGTH <= PROTOCOL_LIMITS.maxCursorLength ? cursor : undefined;
}

/**
 * Reads a cursor this server gave for this scope, or `undefined` for one it cannot resume from
 * (another database or scope, a version past `now`, or anything malformed).
 */
export function parseCursor(cursor: string, epoch: string, scope: string, now: number): Cursor | undefined {
  const parts = cursor.split('.');
  const [kind, e, s, base, version, table] = parts;
  if (e !== epoch || s !== scope || base === undefined || !INT.test(base) || Number(base) > now)
    return undefined;
  if (kind === 'c1' && parts.length === 4) return { base: Number(base), position: undefined };
  if (kind !== 'p1' || version === undefined || !INT.test(version) || Number(version) > now) return undefined;
  if (parts.length === 5) return { base: Number(base), position: { version: Number(version) } };
  if (table === undefined || !NAME.test(table) || parts.length < 7) return undefined;
  let id: unknown;
  try {
    id = JSON.parse(parts.slice(6).join('.'));
  } catch {
    return undefined;
  }
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) return undefined;
  return { base: Number(base), position: { version: Number(version), table, id } };
}
