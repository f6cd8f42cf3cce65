/**
 * Resource patterns (`/user/books`, `/api/library/:id`) and how a concrete path picks one
 * (PROTOCOL.md §6.2): same number of segments, literals equal, `:params` take a decoded segment;
 * when several match, the one with a literal at the first segment where they differ wins.
 */
import { decodeResourcePath } from '../protocol/resource-path.js';
import { SSSyncError } from '../util/errors.js';

export interface Pattern<D> {
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly def: D;
}

export interface Match<D> {
  readonly def: D;
  readonly params: Readonly<Record<string, string>>;
}

const isParam = (segment: string): boolean => segment.startsWith(':');

export function compilePatterns<D>(resources: Readonly<Record<string, D>>): Pattern<D>[] {
  return Object.entries(resources).map(([pattern, def]) => {
    const segments = pattern.slice(1).split('/');
    if (!pattern.startsWith('/') || segments.some((s) => s === '' || s === ':')) {
      throw new SSSyncError(
        'INVALID_ARGUMENT',
        `Resource pattern ${JSON.stringify(pattern)} must be "/" and non-empty segments (literals or :params).`,
      );
    }
    return { pattern, segments, def };
  });
}

/** The pattern a valid resource path matches, with its params; `undefined` when none does. */
export function matchResource<D>(patterns: readonly Pattern<D>[], path: string): Match<D> | undefined {
  const decoded = decodeResourcePath(path);
  let best: Pattern<D> | undefined;
  for (const p of patterns) {
    if (p.segments.length !== decoded.length) continue;
    if (!p.segments.every((s, i) => isParam(s) || s === decoded[i])) continue;
    if (!best || morePrecise(p.segments, best.segments)) best = p;
  }
  if (!best) return undefined;
  const params: Record<string, string> = {};
  best.segments.forEach((s, i) => {
    if (isParam(s)) params[s.slice(1)] = decoded[i]!;
  });
  return { def: best.def, params };
}

function morePrecise(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const la = !isParam(a[i]!);
    const lb = !isParam(b[i]!);
    if (la !== lb) return la;
  }
  return false;
}
