import { describe, expect, it } from 'vitest';
import { isSSSyncError } from '../util/errors.js';
import { decodeResourcePath, resourcePathProblem } from './resource-path.js';

describe('resource paths', () => {
  it.each([
    ['/user/books', ['user', 'books']],
    ['/api/library/42', ['api', 'library', '42']],
    ['/api/library/a%2Fb', ['api', 'library', 'a/b']],
    ['/tags/caf%C3%A9', ['tags', 'café']],
    ["/x/a-b_c.d~e!$&'()*+,;=:@", ['x', "a-b_c.d~e!$&'()*+,;=:@"]],
    ['/x/...', ['x', '...']],
    ['/x/%25', ['x', '%']],
  ])('decodes %s', (path, segments) => {
    expect(resourcePathProblem(path)).toBeUndefined();
    expect(decodeResourcePath(path)).toEqual(segments);
  });

  it.each([
    ['', 'must start with "/"'],
    ['/', 'empty segments'],
    ['user/books', 'must start with "/"'],
    ['/user//books', 'empty segments'],
    ['/user/books/', 'empty segments'],
    ['/user/../admin', '".." segments'],
    ['/user/.', '"." or ".." segments'],
    ['/user/%2e%2E', '".." segments'],
    ['/user/%2E', '"." or ".." segments'],
    ['/user/books?x=1', 'URL path characters'],
    ['/user/books#top', 'URL path characters'],
    ['/user/b ooks', 'URL path characters'],
    ['/user/bøøks', 'URL path characters'],
    ['/user/%zz', 'URL path characters'],
    ['/user/%4', 'URL path characters'],
    ['/user/%FF', 'not valid UTF-8'],
    ['/user/%C3', 'not valid UTF-8'],
    ['/user/%00', 'control characters'],
    ['/user/a%0Ab', 'control characters'],
    ['/user/%7F', 'control characters'],
    [`/${'a'.repeat(512)}`, 'at most 512 characters'],
  ])('refuses %j', (path, problem) => {
    expect(resourcePathProblem(path)).toContain(problem);
    let error: unknown;
    try {
      decodeResourcePath(path);
    } catch (e) {
      error = e;
    }
    expect(isSSSyncError(error, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('accepts a path of exactly 512 characters', () => {
    expect(resourcePathProblem(`/${'a'.repeat(511)}`)).toBeUndefined();
  });
});
