/** What every request of one handler shares: its options, database, compiled patterns and limits. */
import type { MutatorDef, MutatorDefs } from '../mutation/mutators.js';
import type { Schema } from '../schema/schema.js';
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
  if (Object.hasOwn(ctx.mutators, name)) return ctx.mutators[name];
  return undefined;
}
