import { describe, expect, it } from 'vitest';
import { compareValues, likeToRegExp } from './compare.js';

describe('compareValues', () => {
  it('orders strings by code point, as SQL binary collation does (regression)', () => {
    // U+10000 is encoded with surrogates (0xD800…), below U+FF46 by code unit but above it by code point.
    expect(compareValues('𐀀', 'ｆ')).toBeGreaterThan(0);
    expect(compareValues('😀', '\uffff')).toBeGreaterThan(0);
    expect(compareValues('a😀', 'a😁')).toBeLessThan(0);
    expect(compareValues('ab', 'a')).toBeGreaterThan(0);
    expect(compareValues('', 'a')).toBeLessThan(0);
  });

  it('puts null first and compares booleans and numbers by value', () => {
    expect(compareValues(null, -1e9)).toBeLessThan(0);
    expect(compareValues(null, '')).toBeLessThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues(-0, 0)).toBe(0);
  });
});

describe('likeToRegExp', () => {
  it('matches % and _ per character, case-sensitively, with \\ escaping', () => {
    expect(likeToRegExp('a_c').test('a😀c')).toBe(true);
    expect(likeToRegExp('a%').test('A')).toBe(false);
    expect(likeToRegExp('100\\%').test('100%')).toBe(true);
    expect(likeToRegExp('100\\%').test('1000')).toBe(false);
    expect(likeToRegExp('(.*)').test('(x)')).toBe(false);
  });
});
