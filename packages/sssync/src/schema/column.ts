/**
 * Column builders (`c.string()`, `c.number()`…). A column knows its kind, whether it may be null,
 * its default, and (for enums) its allowed values. The type parameters carry the TypeScript types the
 * schema infers: `T` what a row holds, `I` what an insert accepts, `O` optional, `D` has a default.
 */
export type ColumnKind = 'string' | 'number' | 'boolean' | 'json' | 'date' | 'enum';

export interface ColumnSpec {
  readonly kind: ColumnKind;
  readonly isOptional: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly enumValues: readonly string[] | undefined;
}

export class Column<T, I = T, O extends boolean = false, D extends boolean = false> implements ColumnSpec {
  declare readonly __type: T;
  declare readonly __input: I;
  declare readonly __optional: O;
  declare readonly __default: D;
  readonly kind: ColumnKind;
  readonly isOptional: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly enumValues: readonly string[] | undefined;

  constructor(spec: ColumnSpec) {
    this.kind = spec.kind;
    this.isOptional = spec.isOptional;
    this.hasDefault = spec.hasDefault;
    this.defaultValue = spec.defaultValue;
    this.enumValues = spec.enumValues;
  }

  /** The column may hold `null`; an insert may leave it out (it is stored as `null`). */
  optional(): Column<T | null, I | null, true, D> {
    return new Column({ ...this.spec(), isOptional: true });
  }

  /** The value an insert gets when it leaves the column out. A function is called per insert. */
  default(value: T | (() => T)): Column<T, I, O, true> {
    return new Column({ ...this.spec(), hasDefault: true, defaultValue: value });
  }

  private spec(): ColumnSpec {
    return {
      kind: this.kind,
      isOptional: this.isOptional,
      hasDefault: this.hasDefault,
      defaultValue: this.defaultValue,
      enumValues: this.enumValues,
    };
  }
}

export type AnyColumn = Column<any, any, boolean, boolean>;

const make = <T, I = T>(kind: ColumnKind, enumValues?: readonly string[]): Column<T, I> =>
  new Column<T, I>({ kind, isOptional: false, hasDefault: false, defaultValue: undefined, enumValues });

/**
 * Column types. `date` columns hold ISO-8601 UTC strings (`2026-11-26T08:00:00.000Z`): they sort
 * chronologically as strings, read well in JSON and SQLite, and compare the same on every database.
 * Inserts and updates may pass a `Date`; it is stored as its ISO string.
 */
export const c = {
  string: () => make<string>('string'),
  number: () => make<number>('number'),
  boolean: () => make<boolean>('boolean'),
  json: <T = unknown>() => make<T>('json'),
  date: () => make<string, string | Date>('date'),
  enum: <const V extends readonly [string, ...string[]]>(values: V) => make<V[number]>('enum', values),
};
