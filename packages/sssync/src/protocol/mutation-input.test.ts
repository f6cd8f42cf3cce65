import { describe, expect, it } from 'vitest';
import { expectFailure } from './fixtures.js';
import { checkMutationArgs, mutatorNameIsSafe } from './mutation-input.js';

describe('checkMutationArgs', () => {
  it('accepts JSON arguments, null-prototype objects included', () => {
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect(() =>
      checkMutationArgs('m', ['s', 1, -0.5, true, null, [], {}, { a: [{ b: 'c' }] }, bare]),
    ).not.toThrow();
  });

  it.each([
    ['args[0]', [undefined]],
    ['args[1].when', [1, { when: new Date(0) }]],
    ['args[0].m', [{ m: new Map() }]],
    ['args[0]', [Number.NaN]],
    ['args[0]', [Symbol('s')]],
    ['args[0]', [{ [Symbol('k')]: 1 }]],
    ['args[0]["a b"]', [{ 'a b': () => 1 }]],
  ])('names %s', (field, args) => {
    expectFailure(() => checkMutationArgs('m', args), field, 'INVALID_ARGUMENT');
  });

  it('refuses arguments over 256 KiB of JSON, counted in UTF-8 bytes', () => {
    const fits = 'x'.repeat(256 * 1024 - 4); // ["…"] adds 4 bytes
    expect(() => checkMutationArgs('m', [fits])).not.toThrow();
    expectFailure(() => checkMutationArgs('m', [`${fits}x`]), 'args', 'INVALID_ARGUMENT');
    expectFailure(() => checkMutationArgs('m', ['é'.repeat(128 * 1024)]), 'args', 'INVALID_ARGUMENT');
  });

  it('refuses args nested deeper than 32 levels', () => {
    let deep: unknown = [];
    for (let i = 1; i < 33; i++) deep = [deep];
    const error = expectFailure(() => checkMutationArgs('m', deep as unknown[]), 'args', 'INVALID_ARGUMENT');
    expect(error.message).toContain('32 levels');
  });
});

describe('mutatorNameIsSafe', () => {
  it.each(['createBook', 'books.create', 'a', 'n'.repeat(128), 'proto'])('accepts %s', (name) => {
    expect(mutatorNameIsSafe(name)).toBe(true);
  });

  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'n'.repeat(129)])(
    'refuses %j',
    (name) => {
      expect(mutatorNameIsSafe(name)).toBe(false);
    },
  );
});
