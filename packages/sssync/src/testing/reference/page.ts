/**
 * One page of a resource's patch (§6.3) from the change log. Cursors are `v<version>`: a complete
 * page's is the log's head, a cut page's the version of its last entry, so the next page resumes
 * there. Rows changed since the cursor are `put` when in scope and `del` otherwise — also rows the
 * client never held (harmless, §6.3; a real server should not tell ids of rows the user cannot read).
 */
import type { PatchOp } from '../../protocol/pull.js';
import type { Database } from '../../query/database.js';
import type { Predicate } from '../../query/predicate.js';
import type { ChangeLog } from './change-log.js';

export interface Page {
  readonly cursor: string;
  readonly patch: PatchOp[];
  readonly more: boolean;
}

/** A cursor this server can answer from: "v<version>" of a version it reached; otherwise a full load. */
function cursorVersion(cursor: string | null, log: ChangeLog): number | undefined {
  const digits = cursor === null ? undefined : /^v(\d{1,15})$/.exec(cursor)?.[1];
  return digits !== undefined && Number(digits) <= log.head ? Number(digits) : undefined;
}

export function page(
  log: ChangeLog,
  db: Database,
  cursor: string | null,
  scope: ReadonlyMap<string, Predicate>,
  pageSize: number,
): Page {
  const from = cursorVersion(cursor, log);
  const patch: PatchOp[] = from === undefined ? [{ op: 'clear' }] : [];
  const ops = () => patch.length - (from === undefined ? 1 : 0);
  let at = from ?? 0;
  for (const entry of log.since(at, new Set(scope.keys()))) {
    if (ops() >= pageSize) return { cursor: `v${at}`, patch, more: true };
    const row = db.table(entry.table).get(entry.id);
    if (row && scope.get(entry.table)!(row)) patch.push({ op: 'put', table: entry.table, row } as PatchOp);
    else if (from !== undefined) patch.push({ op: 'del', table: entry.table, id: entry.id });
    at = entry.version;
  }
  return { cursor: `v${log.head}`, patch, more: false };
}
