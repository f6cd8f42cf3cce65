/** query/: the in-memory tables, indexes, the query builder and evaluator, and incremental live queries. */

export type { Condition, Direction, Operator, QueryAST } from './ast.js';
export { compareValues } from './compare.js';
export { type Change, Database, type RowId, TableData } from './database.js';
export { evaluate } from './evaluate.js';
export type { ResultChange } from './live-query.js';
export { LiveQuery } from './live-query.js';
export { LiveSet } from './live-set.js';
export { type ConditionBuilder, type OperandFor, Query, type QueryHost } from './query.js';
