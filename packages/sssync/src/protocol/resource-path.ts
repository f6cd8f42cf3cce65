import { SSSyncError } from '../util/errors.js';
import { PROTOCOL_LIMITS } from './limits.js';

// RFC 3986 `pchar`: unreserved, sub-delims, ':' and '@', or a %XX escape.
const RAW_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * What is wrong with a concrete resource path (PROTOCOL.md, "Resource paths"), or `undefined` if it
 * is valid: `/` then one or more non-empty segments of URL path characters, at most 512 characters;
 * each segment percent-decodes to valid UTF-8 without control characters and is not `.` or `..`.
 */
export function resourcePathProblem(path: string): string | undefined {
  if (path.length > PROTOCOL_LIMITS.maxPathLength) {
    return `must be at most ${PROTOCOL_LIMITS.maxPathLength} characters`;
  }
  if (!path.startsWith('/')) return 'must start with "/"';
  const segments = path.slice(1).split('/');
  for (const raw of segments) {
    const problem = segmentProblem(raw);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function segmentProblem(raw: string): string | undefined {
  if (raw === '') return 'must not have empty segments (no "//", no trailing "/")';
  if (!RAW_SEGMENT.test(raw)) {
    return "must hold only URL path characters (letters, digits, -._~!$&'()*+,;=:@ and %XX escapes)";
  }
  const decoded = decodeSegment(raw);
  if (decoded === undefined) return `has a segment "${raw}" whose %XX escapes are not valid UTF-8`;
  if (decoded === '.' || decoded === '..') return 'must not have "." or ".." segments';
  if (CONTROL.test(decoded)) return 'must not encode control characters';
  return undefined;
}

function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * The percent-decoded segments of a resource path: `/api/library/a%2Fb` → `['api', 'library', 'a/b']`.
 * A server matches them against its patterns (a `:param` captures one decoded segment).
 * Throws `INVALID_ARGUMENT` for a path that breaks the grammar.
 */
export function decodeResourcePath(path: string): string[] {
  const problem = resourcePathProblem(path);
  if (problem !== undefined) {
    throw new SSSyncError('INVALID_ARGUMENT', `Resource path ${JSON.stringify(path)} ${problem}.`, {
      details: { path },
    });
  }
  return path
    .slice(1)
    .split('/')
    .map((raw) => decodeURIComponent(raw));
}
