/**
 * The options of `createSyncHandler` (the recommended server) — also accepted by the in-process
 * reference server in `sssync/testing`, so an app's server definition runs unchanged on both.
 */
import type { MutatorDefs, Mutators } from '../mutation/mutators.js';
import type { QueryRoot } from '../mutation/transaction.js';
import type { Query } from '../query/query.js';
import type { Schema } from '../schema/schema.js';

/** Who made a request, as `authenticate` decided. */
export interface AuthContext {
  readonly userID: string;
}

export interface ResourceContext<S extends Schema> {
  readonly userID: string;
  /** The path's `:params`, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** Queries over the server's current data (e.g. to check that the user may read the resource). */
  readonly query: QueryRoot<S>;
}

/**
 * A resource: the rows of each table it holds, as queries (only their `where` counts). Throw an
 * `SSSyncError('FORBIDDEN', …)` when the user may not read it (answered as 403).
 */
export type ResourceDef<S extends Schema> = (
  ctx: ResourceContext<S>,
) =>
  | Query<S, any, any, any>
  | readonly Query<S, any, any, any>[]
  | Promise<Query<S, any, any, any> | readonly Query<S, any, any, any>[]>;

export interface ServerLimits {
  /** Bytes of a request body (default 1 MiB, never below 512 KiB). */
  readonly maxRequestBytes?: number;
  readonly maxMutationsPerPush?: number;
  readonly maxResourcesPerPull?: number;
  /** Put/del ops per page of a patch (default 1000). */
  readonly pageSize?: number;
}

export interface SyncHandlerOptions<S extends Schema, M extends MutatorDefs<S>> {
  readonly schema: S;
  /** The same mutators the client runs. */
  readonly mutators: Mutators<S, M>;
  /**
   * Server-only replacements, by name (the server decides: permissions, server timestamps). Their
   * transaction has `tx.userID`. A name here that is not in `mutators` is a server-only mutator.
   */
  readonly serverMutators?: MutatorDefs<S>;
  /** Resource path patterns (`/user/books`, `/api/library/:id`) → the rows each holds for a user. */
  readonly resources: Readonly<Record<string, ResourceDef<S>>>;
  /** Returns the user, or null for 401. Runs on every request. */
  readonly authenticate: (request: Request) => AuthContext | null | Promise<AuthContext | null>;
  /** Return a number of seconds to answer 429 with that Retry-After; undefined to go on. */
  readonly rateLimit?: (
    request: Request,
    auth: AuthContext,
  ) => number | undefined | Promise<number | undefined>;
  readonly limits?: ServerLimits;
  /** Schema versions served besides `schema.version` (additive changes only). Default: just it. */
  readonly minSchemaVersion?: number;
}
