/** The wire protocol version this library speaks (PROTOCOL.md, "Versions"). */
export const PROTOCOL_VERSION = 1;

/**
 * Default limits of protocol v1 (PROTOCOL.md, "Limits"). The first group belongs to the message format:
 * clients enforce them when a mutation or resource is created, so no server may lower them. The second
 * group is a server's to tune: it may lower or raise them and says so with a 413 that carries the limit.
 */
export const PROTOCOL_LIMITS = {
  /** Characters in a `clientID` or `clientGroupID` (`[A-Za-z0-9_-]`). */
  maxIDLength: 64,
  /** Characters in a mutator name. */
  maxMutatorNameLength: 128,
  /** Characters in a table name of a patch op. */
  maxTableNameLength: 128,
  /** Characters in a resource path. */
  maxPathLength: 512,
  /** Characters in a cursor. */
  maxCursorLength: 1024,
  /** Nesting depth of a mutation's `args` (the array itself is level 1). */
  maxArgsDepth: 32,
  /** UTF-8 bytes of `JSON.stringify(args)` of one mutation: any single mutation fits in one push. */
  maxArgsBytes: 256 * 1024,

  /** Bytes of a request body (server-tunable, never below `minRequestBytes`). */
  maxRequestBytes: 1024 * 1024,
  /** The smallest `maxRequestBytes` a server may choose. */
  minRequestBytes: 512 * 1024,
  /** Mutations in one push (server-tunable). */
  maxMutationsPerPush: 1000,
  /** Resources in one pull (server-tunable). */
  maxResourcesPerPull: 100,
  /** Put/del ops in one page of a resource's patch (server-tunable; the conformance test mode uses 10). */
  pageSize: 1000,
} as const;

/** The limits a server may tune; the parse functions of requests take them. */
export interface RequestLimits {
  readonly maxMutationsPerPush: number;
  readonly maxResourcesPerPull: number;
}
