import { describe, expect, it } from 'vitest';
import { parseFilterValue } from './filter.js';

describe('parseFilterValue', () => {
  it('reads the typed text as the column kind', () => {
    expect(parseFilterValue('number', '>=', '4.5')).toBe(4.5);
    expect(parseFilterValue('boolean', '=', 'false')).toBe(false);
    expect(parseFilterValue('string', '=', '42')).toBe('42');
    expect(parseFilterValue('json', '=', '{"a":1}')).toEqual({ a: 1 });
    expect(parseFilterValue('json', '=', 'plain')).toBe('plain');
    expect(parseFilterValue('string', 'like', 'Du%')).toBe('Du%');
    expect(parseFilterValue('number', '=', 'null')).toBeNull();
  });

  it('splits lists for in / not in, and needs no value for is / is not', () => {
    expect(parseFilterValue('number', 'in', '1, 2,3')).toEqual([1, 2, 3]);
    expect(parseFilterValue('string', 'not in', 'a,b')).toEqual(['a', 'b']);
    expect(parseFilterValue('string', 'in', ' ')).toEqual([]);
    expect(parseFilterValue('string', 'is', 'anything')).toBeNull();
    expect(parseFilterValue('number', 'is not', '')).toBeNull();
  });

  it('says what is wrong with text that is not of the kind', () => {
    expect(() => parseFilterValue('number', '=', 'many')).toThrow('"many" is not a number.');
    expect(() => parseFilterValue('number', '=', '')).toThrow('is not a number');
    expect(() => parseFilterValue('number', 'in', '1,x')).toThrow('"x" is not a number.');
    expect(() => parseFilterValue('boolean', '=', 'yes')).toThrow('"yes" is not true or false.');
  });
});
