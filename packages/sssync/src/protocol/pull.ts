/** The pull messages (PROTOCOL.md, "Pull"): resources and cursors in, a patch per resource out. */
import * as v from 'valibot';
import { issuePath } from './field-path.js';
import {
  ClientID,
  Cursor,
  isPlainObject,
  LastMutationIDs,
  notArray,
  ProtocolVersion,
  ResourcePath,
  SchemaVersion,
  string,
} from './fields.js';
import { PROTOCOL_LIMITS } from './limits.js';

/** A row's primary key: a string or a finite number. */
export const RowID = v.union(
  [v.string(), v.pipe(v.number(), v.finite())],
  'must be a string or a finite number',
);

/** A complete row: every column of its table, `id` included. Columns are checked against the schema. */
export type Row = { readonly id: string | number; readonly [column: string]: unknown };

export const Row = v.pipe(
  v.custom<Row>(isPlainObject, 'must be an object'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const row = dataset.value;
    if (Object.hasOwn(row, 'id') && v.is(RowID, row.id)) return;
    addIssue({
      message: Object.hasOwn(row, 'id') ? 'must be a string or a finite number' : 'is missing',
      path: issuePath('id'),
    });
  }),
);

const TableName = string(PROTOCOL_LIMITS.maxTableNameLength);

export const PatchOp = notArray(
  v.variant(
    'op',
    [
      v.object({ op: v.literal('clear') }),
      v.object({ op: v.literal('put'), table: TableName, row: Row }),
      v.object({ op: v.literal('del'), table: TableName, id: RowID }),
    ],
    (issue) => (issue.path === undefined ? 'must be an object' : 'must be "clear", "put" or "del"'),
  ),
);

/** Ops in order; `clear` may only come first. */
export const Patch = v.pipe(
  v.array(PatchOp, 'must be an array'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const ops = dataset.value;
    const at = ops.findIndex((op, i) => i > 0 && op.op === 'clear');
    if (at < 0) return;
    addIssue({
      message: 'is a "clear", which may only be the first op of a patch',
      path: issuePath(at),
    });
  }),
);

/** Rejects a path listed twice: each resource gets exactly one entry. */
const uniquePaths = <T extends { readonly path: string }>() =>
  v.rawCheck<T[]>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const items = dataset.value;
    const seen = new Set<string>();
    const at = items.findIndex((item) => seen.size === seen.add(item.path).size);
    if (at < 0) return;
    addIssue({ message: 'appears twice: list each resource once', path: issuePath(at, 'path') });
  });

export const ResourceRequest = notArray(
  v.object({ path: ResourcePath, cursor: v.nullable(Cursor) }, 'must be an object'),
);

export const PullRequest = notArray(
  v.object(
    {
      protocolVersion: ProtocolVersion,
      schemaVersion: SchemaVersion,
      clientGroupID: ClientID,
      clientID: ClientID,
      resources: v.pipe(v.array(ResourceRequest, 'must be an array'), uniquePaths()),
    },
    'must be an object',
  ),
);

export const ResourcePatch = notArray(
  v.object(
    { path: ResourcePath, cursor: Cursor, patch: Patch, more: v.boolean('must be true or false') },
    'must be an object',
  ),
);

export const PullResponse = notArray(
  v.object(
    {
      protocolVersion: ProtocolVersion,
      resources: v.pipe(v.array(ResourcePatch, 'must be an array'), uniquePaths()),
      lastMutationIDs: LastMutationIDs,
    },
    'must be an object',
  ),
);

export type RowID = v.InferOutput<typeof RowID>;
export type PatchOp = v.InferOutput<typeof PatchOp>;
export type ResourceRequest = v.InferOutput<typeof ResourceRequest>;
export type PullRequest = v.InferOutput<typeof PullRequest>;
export type ResourcePatch = v.InferOutput<typeof ResourcePatch>;
export type PullResponse = v.InferOutput<typeof PullResponse>;
