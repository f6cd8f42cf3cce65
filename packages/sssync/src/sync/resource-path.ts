import { SSSyncError } from '../util/errors.js';

/**
 * Resource paths: patterns like `/api/library/:id` declared in `loaders`, and the concrete paths
 * (`/api/library/42`) a client asks for. A param is one segment, percent-encoded.
 */
export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    const seg = s[i]!;
    if (part.startsWith(':')) {
      if (seg === '') return undefined;
      try {
        params[part.slice(1)] = decodeURIComponent(seg);
      } catch {
        return undefined;
      }
    } else if (part !== seg) return undefined;
  }
  return params;
}

export function fillPattern(pattern: string, params: Readonly<Record<string, string | number>> = {}): string {
  const path = pattern
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part;
      const name = part.slice(1);
      const value = Object.hasOwn(params, name) ? params[name] : undefined;
      if (value === undefined || value === '') {
        throw new SSSyncError('INVALID_ARGUMENT', `Resource "${pattern}" needs the param "${name}".`, {
          details: { pattern, param: name },
        });
      }
      return encodeURIComponent(String(value));
    })
    .join('/');
  if (
    !path.startsWith('/') ||
    path.length > 512 ||
    path.split('/').some((s, i) => i > 0 && (s === '' || s === '..' || s === '.'))
  ) {
    throw new SSSyncError(
      'INVALID_ARGUMENT',
      `"${path}" is not a valid resource path (like "/user/books").`,
      {
        details: { path },
      },
    );
  }
  return path;
}
