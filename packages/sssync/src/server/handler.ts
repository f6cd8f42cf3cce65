/**
 * `createSyncHandler`: PROTOCOL.md as a Fetch-API handler, `(Request) => Promise<Response>`. It keeps
 * no state between requests but a promise that the database is prepared: any number of instances
 * may serve one database. Checks follow §2.2: method and URL, content type and size, credentials,
 * JSON and versions, fields, schema version, ownership, then processing.
 */
import type { MutatorDefs } from '../mutation/mutators.js';
import { PROTOCOL_LIMITS } from '../protocol/limits.js';
import { parsePullRequest, parsePushRequest } from '../protocol/parse.js';
import type { Schema } from '../schema/schema.js';
import { SSSyncError } from '../util/errors.js';
import { readBody } from './body.js';
import type { ServerContext } from './context.js';
import { type CursorSeal, cursorSeal } from './cursor-seal.js';
import type { SyncDatabase } from './database.js';
import { type MigrateHook, prepareDatabase, type ServerMeta } from './migrate.js';
import type { SyncHandlerOptions } from './options.js';
import { handlePull } from './pull.js';
import { handlePush } from './push.js';
import { compilePatterns } from './resources.js';
import { badRequest, errorResponse, serverError, type VersionRange, versionMismatch } from './responses.js';
import { SYNC } from './sql-schema.js';

export interface CreateSyncHandlerOptions<S extends Schema, M extends MutatorDefs<S>>
  extends SyncHandlerOptions<S, M> {
  /** Where the data lives: `sqliteDatabase(…)`, `postgresDatabase(…)`, `mysqlDatabase(…)`, `pgliteDatabase(…)`. */
  readonly database: SyncDatabase;
  /**
   * Explicit migration of the server's tables when the schema version rises, for what the server
   * cannot do by itself (drop, rename or retype a column or table). Runs before new tables and
   * columns are added, inside the migration transaction where the database has one.
   */
  readonly migrate?: MigrateHook;
  /** Called with every unexpected error (answered 500 without details). Default: `console.error`. */
  readonly onError?: (error: unknown, request: Request) => void;
}

export interface SyncHandler {
  (request: Request): Promise<Response>;
  /** Creates or migrates the tables now (the first request does it otherwise); rejects if it cannot. */
  prepare(): Promise<void>;
}

export function createSyncHandler<S extends Schema, M extends MutatorDefs<S>>(
  options: CreateSyncHandlerOptions<S, M>,
): SyncHandler {
  const { schema, database } = options;
  checkSchema(schema);
  const limits = resolveLimits(options);
  const versions: VersionRange = { min: options.minSchemaVersion ?? schema.version, max: schema.version };
  if (versions.min < 1 || versions.min > versions.max) {
    throw new SSSyncError('INVALID_ARGUMENT', `minSchemaVersion must be between 1 and ${schema.version}.`);
  }
  const patterns = compilePatterns(options.resources);
  let prepared: Promise<{ meta: ServerMeta; cursors: CursorSeal }> | undefined;
  const prepare = (): Promise<{ meta: ServerMeta; cursors: CursorSeal }> => {
    prepared ??= prepareDatabase(database, schema, options.migrate)
      .then(async (meta) => ({ meta, cursors: await cursorSeal(meta.secret) }))
      .catch((e: unknown) => {
        prepared = undefined;
        throw e;
      });
    return prepared;
  };
  const onError = options.onError ?? ((e: unknown) => console.error('sssync server:', e));

  const handler = async (request: Request): Promise<Response> => {
    try {
      const kind = endpoint(request.url);
      if (request.method !== 'POST') {
        return errorResponse(
          'METHOD_NOT_ALLOWED',
          `Use POST, not ${request.method}.`,
          {},
          { headers: { allow: 'POST' } },
        );
      }
      if (!kind)
        return errorResponse('NOT_FOUND', 'No such endpoint: the protocol has only …/push and …/pull.');
      const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') return badRequest('The Content-Type must be application/json.', '');
      const body = await readBody(request, limits.maxRequestBytes);
      if (body === 'too-large') {
        return errorResponse(
          'TOO_LARGE',
          `The request body is over ${limits.maxRequestBytes} bytes: send fewer mutations per request.`,
          { limit: limits.maxRequestBytes },
        );
      }
      const auth = await options.authenticate(request);
      if (!auth) {
        return errorResponse(
          'UNAUTHORIZED',
          'Sign in: the credentials are missing, invalid or expired.',
          {},
          {
            headers: { 'www-authenticate': 'Bearer' },
          },
        );
      }
      const wait = options.rateLimit ? await options.rateLimit(request, auth) : undefined;
      if (wait !== undefined) {
        const seconds = Math.max(0, Math.ceil(wait));
        return errorResponse(
          'RATE_LIMITED',
          `Too many requests for this user. Retry in ${seconds} seconds.`,
          { retryAfter: seconds },
          { headers: { 'retry-after': String(seconds) } },
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
      } catch {
        return badRequest('The body is not JSON (or not UTF-8).', '');
      }
      const parsed = kind === 'push' ? parsePushRequest(json, limits) : parsePullRequest(json, limits);
      if (parsed.schemaVersion < versions.min || parsed.schemaVersion > versions.max) {
        return versionMismatch(versions, 'schemaVersion', parsed.schemaVersion);
      }
      const ctx: ServerContext = {
        db: database,
        schema,
        mutators: options.mutators.defs as unknown as MutatorDefs<Schema>,
        serverMutators: (options.serverMutators ?? {}) as MutatorDefs<Schema>,
        patterns: patterns as unknown as ServerContext['patterns'],
        versions,
        pageSize: limits.pageSize,
        ...(await prepare()),
      };
      return 'mutations' in parsed
        ? await handlePush(ctx, parsed, auth.userID)
        : await handlePull(ctx, parsed, auth.userID);
    } catch (e) {
      return answerError(e, versions, (error) => onError(error, request));
    }
  };
  return Object.assign(handler, { prepare: async () => void (await prepare()) });
}

function endpoint(url: string): 'push' | 'pull' | undefined {
  const path = new URL(url).pathname;
  return path.endsWith('/push') ? 'push' : path.endsWith('/pull') ? 'pull' : undefined;
}

function answerError(e: unknown, versions: VersionRange, report: (e: unknown) => void): Response {
  if (e instanceof SSSyncError) {
    const field = typeof e.details?.field === 'string' ? e.details.field : undefined;
    switch (e.code) {
      case 'PROTOCOL':
        return badRequest(e.message, field ?? '');
      case 'VERSION_MISMATCH':
        return versionMismatch(versions, 'protocolVersion', e.details?.protocolVersion);
      case 'TOO_LARGE':
        return errorResponse('TOO_LARGE', e.message, {
          limit: Number(e.details?.limit ?? 0),
          ...(field === undefined ? {} : { field }),
        });
      case 'SERVER_ERROR':
        report(e);
        return serverError(e.details?.status === 503 ? 503 : 500);
    }
  }
  report(e);
  return serverError();
}

function resolveLimits<S extends Schema, M extends MutatorDefs<S>>(options: CreateSyncHandlerOptions<S, M>) {
  const limits = {
    maxRequestBytes: options.limits?.maxRequestBytes ?? PROTOCOL_LIMITS.maxRequestBytes,
    maxMutationsPerPush: options.limits?.maxMutationsPerPush ?? PROTOCOL_LIMITS.maxMutationsPerPush,
    maxResourcesPerPull: options.limits?.maxResourcesPerPull ?? PROTOCOL_LIMITS.maxResourcesPerPull,
    pageSize: options.limits?.pageSize ?? PROTOCOL_LIMITS.pageSize,
  };
  if (limits.maxRequestBytes < PROTOCOL_LIMITS.minRequestBytes) {
    throw new SSSyncError(
      'INVALID_ARGUMENT',
      `limits.maxRequestBytes must be at least ${PROTOCOL_LIMITS.minRequestBytes}.`,
    );
  }
  for (const key of ['maxMutationsPerPush', 'maxResourcesPerPull', 'pageSize'] as const) {
    if (!Number.isSafeInteger(limits[key]) || limits[key] < 1) {
      throw new SSSyncError('INVALID_ARGUMENT', `limits.${key} must be a positive integer.`);
    }
  }
  return limits;
}

/** Names the server's SQL needs for itself: no table `sssync_*`, no column `_sssync_*`. */
function checkSchema(schema: Schema): void {
  for (const [table, def] of Object.entries(schema.tables)) {
    if (table.toLowerCase().startsWith('sssync_')) {
      throw new SSSyncError(
        'INVALID_SCHEMA',
        `Table "${table}": names starting with "sssync_" are the server's.`,
      );
    }
    for (const column of Object.keys(def.columns)) {
      if (column.toLowerCase().startsWith(SYNC.version.slice(0, 8))) {
        throw new SSSyncError(
          'INVALID_SCHEMA',
          `Column "${table}.${column}": names starting with "_sssync_" are the server's.`,
        );
      }
    }
  }
}
