/** The plain-data form of a query, built by the `Query` builder and read by the evaluator. */
export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'like' | 'is' | 'is not';

export const OPERATORS: readonly Operator[] = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'not in',
  'like',
  'is',
  'is not',
];

export type Condition =
  | { readonly type: 'cmp'; readonly column: string; readonly op: Operator; readonly value: unknown }
  | { readonly type: 'and'; readonly conditions: readonly Condition[] }
  | { readonly type: 'or'; readonly conditions: readonly Condition[] };

export type Direction = 'asc' | 'desc';

export interface Related {
  readonly name: string;
  readonly query: QueryAST;
}

export interface QueryAST {
  readonly table: string;
  readonly where: Condition | undefined;
  readonly orderBy: readonly (readonly [string, Direction])[];
  readonly limit: number | undefined;
  readonly start:
    | { readonly row: Readonly<Record<string, unknown>>; readonly inclusive: boolean }
    | undefined;
  readonly related: readonly Related[];
  readonly single: boolean;
}

export const emptyAST = (table: string): QueryAST => ({
  table,
  where: undefined,
  orderBy: [],
  limit: undefined,
  start: undefined,
  related: [],
  single: false,
});

/** How many top-level rows a query may give: its limit, and at most one after `one()`. */
export const rowLimit = (ast: QueryAST): number | undefined =>
  ast.single ? Math.min(1, ast.limit ?? 1) : ast.limit;
