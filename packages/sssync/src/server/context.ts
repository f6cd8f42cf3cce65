/** What every request of one handler shares: its options, database, compiled patterns and limits. */
import type { MutatorDef, MutatorDefs } from '../mutation/mutators.js';
import { RESTORE_MUTATOR } from '../mutation/restore.js';
import type { Schema } from '../schema/schema.js';
import { SSSyncError } from '../util/errors.js';
import type { CursorSeal } from './cursor-seal.js';
import type { SyncDatabase } from './database.js';
import type { ServerMeta } from './migrate.js';
import type { ResourceDef } from './options.js';
import type { Pattern } from './resources.js';
import type { VersionRange } from './responses.js';

export interface ServerContext {
  readonly db: SyncDatabase;
  readonly schema: Schema;
  readonly mutators: MutatorDefs<Schema>;
  readonly serverMutators: MutatorDefs<Schema>;
  readonly patterns: readonly Pattern<ResourceDef<Schema>>[];
  readonly versions: VersionRange;
  readonly pageSize: number;
  readonly meta: ServerMeta;
  readonly cursors: CursorSeal;
}

/** The mutator a name runs on the server: its server override, else the shared one; own keys only. */
export function serverMutator(ctx: ServerContext, name: string): MutatorDef<Schema> | undefined {
  if (Object.hasOwn(ctx.serverMutators, name)) return ctx.serverMutators[name];
  // Undo's restore mutator writes whatever rows it is given: the server runs it only when the app
  // opts in with its own (permission-checking) version in `serverMutators`.
  if (name === RESTORE_MUTATOR) return refuseRestore;
  if (Object.hasOwn(ctx.mutators, name)) return ctx.mutators[name];
  return undefined;
}

const refuseRestore: MutatorDef<Schema> = () => {
  throw new SSSyncError(
    'FORBIDDEN',
    `Undo is not enabled on this server: add serverMutators.${RESTORE_MUTATOR} = restoreMutator(schema, check).`,
  );
};
