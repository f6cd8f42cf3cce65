import { SSSyncError } from '../util/errors.js';
import { isWellFormed } from '../util/unicode.js';
import type { ColumnSpec } from './column.js';
import type { TableDef } from './table.js';

/** A row as the engine holds it: every column present, optional ones as `null`. */
export type RowRecord = Readonly<Record<string, unknown>>;

const invalid = (table: string, msg: string, column?: string): SSSyncError =>
  new SSSyncError('INVALID_ROW', `Invalid row for table "${table}": ${msg}`, {
    details: column === undefined ? { table } : { table, column },
  });

/** Checks one value against its column and returns the stored form (dates become ISO strings). */
export function normalizeValue(table: string, column: string, spec: ColumnSpec, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (spec.isOptional) return null;
    throw invalid(table, `column "${column}" is required (got ${String(value)}).`, column);
  }
  switch (spec.kind) {
    case 'string':
      if (typeof value === 'string') {
        if (isWellFormed(value)) return value;
        throw invalid(table, `column "${column}" holds a lone surrogate, which UTF-8 cannot store.`, column);
      }
      break;
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'enum':
      if (typeof value === 'string' && spec.enumValues?.includes(value)) return value;
      throw invalid(table, `column "${column}" must be one of ${JSON.stringify(spec.enumValues)}.`, column);
    case 'date': {
      if (typeof value === 'string' && isCanonicalDate(value)) return value;
      const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
      if (date && !Number.isNaN(date.getTime())) return date.toISOString();
      throw invalid(table, `column "${column}" must be a Date or an ISO-8601 date string.`, column);
    }
    case 'json':
      // A private, frozen copy: rows are shared (queries, indexes, the outbox), so a caller that
      // changes the object it passed in must not change the stored row behind the engine's back.
      if (isJsonValue(value, 0)) return frozenCopy(value);
      throw invalid(
        table,
        `column "${column}" must hold JSON data (no functions, cycles or undefined).`,
        column,
      );
  }
  throw invalid(table, `column "${column}" must be a ${spec.kind} (got ${typeof value}).`, column);
}

const CANONICAL_DATE = /^\d{4}-[01]\d-[0-2]\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * Already the form `toISOString()` gives, and a day (≤ 28) and hour (≤ 23) that can't roll over: the
 * string is its own normal form, with no Date made (a bootstrap checks two per row). Anything else
 * (day 29–31, hour 24, other forms) goes the long way, which normalizes it.
 */
function isCanonicalDate(s: string): boolean {
  return (
    CANONICAL_DATE.test(s) && (s.charCodeAt(8) < 50 || s.charCodeAt(9) <= 56) && !Number.isNaN(Date.parse(s))
  );
}

function isJsonValue(v: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJsonValue(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v as object).every((x) => isJsonValue(x, depth + 1));
  }
  return false;
}

function checkKnownColumns(tableName: string, def: TableDef, input: object): void {
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(def.columns, key)) {
      throw new SSSyncError(
        'UNKNOWN_COLUMN',
        `Unknown column "${tableName}.${key}": it is not in the schema.`,
        {
          details: { table: tableName, column: key },
        },
      );
    }
  }
}

function asObject(tableName: string, input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid(tableName, 'expected an object.');
  }
  return input as Record<string, unknown>;
}

/** Builds the full stored row for an insert: defaults filled, optional columns `null`, types checked. */
export function normalizeInsert(tableName: string, def: TableDef, input: unknown): RowRecord {
  const obj = asObject(tableName, input);
  checkKnownColumns(tableName, def, obj);
  const row: Record<string, unknown> = {};
  for (const [col, spec] of Object.entries(def.columns)) {
    let value = obj[col];
    if (value === undefined && spec.hasDefault) {
      value =
        typeof spec.defaultValue === 'function' ? (spec.defaultValue as () => unknown)() : spec.defaultValue;
    }
    row[col] = normalizeValue(tableName, col, spec, value);
  }
  return Object.freeze(row);
}

/** Applies a partial update to an existing row; `id` cannot change. */
export function normalizeUpdate(
  tableName: string,
  def: TableDef,
  existing: RowRecord,
  changes: unknown,
): RowRecord {
  const obj = asObject(tableName, changes);
  checkKnownColumns(tableName, def, obj);
  const row: Record<string, unknown> = { ...existing };
  for (const [col, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    if (col === 'id') {
      if (value !== existing.id) throw invalid(tableName, '`id` cannot be changed by an update.', 'id');
      continue;
    }
    row[col] = normalizeValue(tableName, col, def.columns[col]!, value);
  }
  return Object.freeze(row);
}

/** Checks a row read from storage or sent by a server: every column present with the right type. */
const columnLists = new WeakMap<TableDef, [string, ColumnSpec][]>();

/** A table's columns as a list, made once per table (not once per checked row). */
function columnsOf(def: TableDef): [string, ColumnSpec][] {
  let list = columnLists.get(def);
  if (!list) {
    list = Object.entries(def.columns);
    columnLists.set(def, list);
  }
  return list;
}

export function checkStoredRow(tableName: string, def: TableDef, input: unknown): RowRecord {
  const obj = asObject(tableName, input);
  checkKnownColumns(tableName, def, obj);
  const row: Record<string, unknown> = {};
  for (const [col, spec] of columnsOf(def)) row[col] = normalizeValue(tableName, col, spec, obj[col]);
  return Object.freeze(row);
}

function frozenCopy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Object.isFrozen(v)) return v;
  const copy: unknown = Array.isArray(v)
    ? v.map(frozenCopy)
    : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, frozenCopy(x)]));
  return Object.freeze(copy);
}
