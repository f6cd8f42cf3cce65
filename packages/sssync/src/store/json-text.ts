import { errorMessage } from '../util/errors.js';
import { writeFailed } from './check-batch.js';
import { corrupted } from './check-snapshot.js';

/**
 * JSON for stores that keep values as text. `JSON.stringify` alone would change some values without a
 * word (a Date becomes a string, a Map `{}`, NaN `null`, a function vanishes), so those fail the
 * commit instead. `undefined` is let through: JSON drops it, as the sync protocol does on the wire.
 */
export function toJsonText(value: unknown, what: string): string {
  try {
    // `this[key]` is the value before `toJSON`, which is how a Date is told apart from a string.
    const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
      const original = this[key];
      if (original !== undefined && !isJsonValue(original))
        throw new TypeError(`${describe(original)} at "${key}"`);
      return v;
    });
    if (text === undefined) throw new TypeError('undefined');
    return text;
  } catch (e) {
    throw writeFailed(
      `${what} is not JSON data (${errorMessage(e)}); store only strings, finite numbers, booleans, null, arrays and plain objects.`,
      e,
    );
  }
}

/** Parses text a store wrote; anything else means the file was damaged or edited by hand. */
export function fromJsonText(text: unknown, what: string): unknown {
  if (typeof text !== 'string')
    throw corrupted(`${what} is ${text === null ? 'NULL' : typeof text}, not JSON text`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw corrupted(`${what} is not valid JSON`, e);
  }
}

function isJsonValue(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object': {
      if (v === null || Array.isArray(v)) return true;
      const proto: unknown = Object.getPrototypeOf(v);
      return proto === Object.prototype || proto === null;
    }
    default:
      return false;
  }
}

function describe(v: unknown): string {
  if (typeof v === 'object' && v !== null) return `a ${v.constructor?.name ?? 'non-plain object'}`;
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}
