/**
 * An in-process reference implementation of PROTOCOL.md over in-memory tables: small enough to read,
 * strict enough to test clients against. It runs the app's own mutators (as the recommended server
 * does), scopes resources with a predicate per table, and keeps a version per row (tombstones too)
 * so cursors are simple version numbers — correct here because one request runs at a time.
 */
import type { MutatorDefs, Mutators } from '../mutation/mutators.js';
import { runMutation } from '../mutation/run-mutation.js';
import { PROTOCOL_LIMITS, PROTOCOL_VERSION } from '../protocol/limits.js';
import { parsePullRequest, parsePushRequest } from '../protocol/parse.js';
import { Database, type RowId } from '../query/database.js';
import type { Row } from '../query/predicate.js';
import type { Schema } from '../schema/schema.js';
import { errorMessage, SSSyncError } from '../util/errors.js';

export interface ResourceContext {
  readonly userID: string;
  readonly params: Readonly<Record<string, string>>;
}

/** A resource: for each table it serves, which rows the user sees. */
export type ResourceScope = Readonly<Record<string, (row: Row, ctx: ResourceContext) => boolean>>;

export interface ReferenceServerOptions<S extends Schema, M extends MutatorDefs<S>> {
  readonly schema: S;
  readonly mutators: Mutators<S, M>;
  readonly resources: Readonly<Record<string, ResourceScope>>;
  /** Maps a request to a user id, or null for 401. Default: `Authorization: Bearer <user>`. */
  readonly authenticate?: (request: Request) => string | null;
  /** Server-only mutators that replace the shared ones (the server decides). */
  readonly serverMutators?: MutatorDefs<S>;
  readonly pageSize?: number;
}

interface Versioned {
  readonly table: string;
  readonly id: RowId;
  version: number;
}

export class ReferenceServer<S extends Schema, M extends MutatorDefs<S>> {
  readonly db: Database;
  /** Incremented per committed mutation; cursors are versions. */
  version = 0;
  readonly pushes: { clientID: string; ids: number[] }[] = [];
  /** How many times each (clientID, mutation id) ran: exactly-once means never more than 1. */
  readonly applied = new Map<string, number>();
  private readonly opts: ReferenceServerOptions<S, M>;
  private readonly versions = new Map<string, Versioned>();
  private readonly lastMutationIDs = new Map<string, Map<string, number>>();
  private readonly owners = new Map<string, string>();

  constructor(opts: ReferenceServerOptions<S, M>) {
    this.opts = opts;
    this.db = new Database(opts.schema);
  }

  /** A `fetch` that calls the handler in-process. */
  readonly fetch = async (input: string, init: RequestInit): Promise<Response> =>
    this.handle(new Request(input, init));

  readonly handle = async (request: Request): Promise<Response> => {
    try {
      const url = new URL(request.url);
      if (request.method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', 'Use POST.');
      const auth = this.opts.authenticate ?? bearer;
      const userID = auth(request);
      if (!userID) return error(401, 'UNAUTHORIZED', 'Sign in again.');
      let json: unknown;
      try {
        json = JSON.parse(await request.text());
      } catch {
        return error(400, 'BAD_REQUEST', 'The body is not JSON.');
      }
      if (url.pathname.endsWith('/push')) return this.push(json, userID);
      if (url.pathname.endsWith('/pull')) return this.pull(json, userID);
      return error(404, 'NOT_FOUND', 'No such endpoint.');
    } catch (e) {
      if (e instanceof SSSyncError) return fromSSSyncError(e);
      return error(500, 'SERVER_ERROR', 'The server failed.');
    }
  };

  /** Writes straight into the server's data, as another process would (bumps versions). */
  write(table: string, row: Row | null, id?: RowId): void {
    const rowID = (row?.id ?? id) as RowId;
    this.db.apply(table, rowID, row);
    this.bump(table, rowID);
  }

  rows(table: string): Row[] {
    return [...this.db.table(table).rows.values()];
  }

  /** Marks every row of a table changed, e.g. after a permission change that moves rows across scopes. */
  touchAll(table: string): void {
    for (const id of this.db.table(table).rows.keys()) this.bump(table, id);
  }

  private bump(table: string, id: RowId): void {
    this.version++;
    this.versions.set(`${table}\u0000${typeof id}\u0000${id}`, { table, id, version: this.version });
  }

  private group(groupID: string, userID: string): Map<string, number> | Response {
    const owner = this.owners.get(groupID);
    if (owner !== undefined && owner !== userID) {
      return error(403, 'FORBIDDEN', 'This client group belongs to another user.', 'clientGroupID');
    }
    this.owners.set(groupID, userID);
    let m = this.lastMutationIDs.get(groupID);
    if (!m) {
      m = new Map();
      this.lastMutationIDs.set(groupID, m);
    }
    return m;
  }

  private versionCheck(schemaVersion: number): Response | undefined {
    if (schemaVersion === this.opts.schema.version) return undefined;
    return json(409, {
      error: {
        code: 'VERSION_MISMATCH',
        message: `This server serves schema version ${this.opts.schema.version}.`,
        supportedProtocolVersions: [PROTOCOL_VERSION],
        minSchemaVersion: this.opts.schema.version,
        maxSchemaVersion: this.opts.schema.version,
      },
    });
  }

  private async push(body: unknown, userID: string): Promise<Response> {
    const req = parsePushRequest(body);
    const mismatch = this.versionCheck(req.schemaVersion);
    if (mismatch) return mismatch;
    const group = this.group(req.clientGroupID, userID);
    if (group instanceof Response) return group;
    this.pushes.push({ clientID: req.clientID, ids: req.mutations.map((m) => m.id) });
    const defs = { ...this.opts.mutators.defs, ...(this.opts.serverMutators ?? {}) } as MutatorDefs<S>;
    const results: unknown[] = [];
    for (const [i, m] of req.mutations.entries()) {
      const last = group.get(req.clientID) ?? 0;
      if (m.id <= last) {
        results.push({ id: m.id, ok: true, duplicate: true });
        continue;
      }
      if (m.id > last + 1) {
        return json(409, {
          error: {
            code: 'MUTATION_ID_GAP',
            message: `Mutation ${m.id} cannot run: the server has applied up to ${last}.`,
            field: `mutations[${i}].id`,
            lastMutationID: last,
          },
        });
      }
      try {
        const log = await runMutation(this.db, defs, m.name, m.args, {
          clientID: req.clientID,
          mutationID: m.id,
          reason: 'server',
          location: 'server',
        });
        for (const c of log.changes(this.db)) this.bump(c.table, c.id);
        const key = `${req.clientID}/${m.id}`;
        this.applied.set(key, (this.applied.get(key) ?? 0) + 1);
        results.push({ id: m.id, ok: true });
      } catch (e) {
        const code = e instanceof SSSyncError && e.code !== 'MUTATOR_FAILED' ? e.code : 'MUTATOR_FAILED';
        results.push({ id: m.id, ok: false, error: { code, message: errorMessage(e) } });
      }
      group.set(req.clientID, m.id);
    }
    return json(200, {
      protocolVersion: PROTOCOL_VERSION,
      results,
      lastMutationIDs: Object.fromEntries(group),
    });
  }

  private pull(body: unknown, userID: string): Response {
    const req = parsePullRequest(body);
    const mismatch = this.versionCheck(req.schemaVersion);
    if (mismatch) return mismatch;
    const group = this.group(req.clientGroupID, userID);
    if (group instanceof Response) return group;
    const pageSize = this.opts.pageSize ?? PROTOCOL_LIMITS.pageSize;
    const resources = [];
    for (const [i, r] of req.resources.entries()) {
      const found = this.match(r.path);
      if (!found) return error(404, 'UNKNOWN_RESOURCE', `No resource "${r.path}".`, `resources[${i}].path`);
      const ctx: ResourceContext = { userID, params: found.params };
      const from =
        r.cursor !== null && /^\d+$/.test(r.cursor) && Number(r.cursor) <= this.version
          ? Number(r.cursor)
          : null;
      const changed = [...this.versions.values()]
        .filter((v) => v.version > (from ?? 0) && Object.hasOwn(found.scope, v.table))
        .sort((a, b) => a.version - b.version);
      const patch: unknown[] = from === null ? [{ op: 'clear' }] : [];
      let cursor = from ?? 0;
      let count = 0;
      let more = false;
      for (const v of changed) {
        if (count >= pageSize) {
          more = true;
          break;
        }
        const row = this.db.table(v.table).get(v.id);
        if (row && found.scope[v.table]!(row, ctx)) patch.push({ op: 'put', table: v.table, row });
        else if (from !== null) patch.push({ op: 'del', table: v.table, id: v.id });
        else {
          cursor = v.version;
          continue;
        }
        cursor = v.version;
        count++;
      }
      if (!more) cursor = this.version;
      resources.push({ path: r.path, cursor: String(cursor), patch, more });
    }
    return json(200, {
      protocolVersion: PROTOCOL_VERSION,
      resources,
      lastMutationIDs: Object.fromEntries(group),
    });
  }

  private match(path: string): { scope: ResourceScope; params: Record<string, string> } | undefined {
    for (const [pattern, scope] of Object.entries(this.opts.resources)) {
      const p = pattern.split('/');
      const s = path.split('/');
      if (p.length !== s.length) continue;
      const params: Record<string, string> = {};
      const ok = p.every((part, i) => {
        if (!part.startsWith(':')) return part === s[i];
        params[part.slice(1)] = decodeURIComponent(s[i]!);
        return true;
      });
      if (ok) return { scope, params };
    }
    return undefined;
  }
}

function bearer(request: Request): string | null {
  const m = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '');
  return m ? m[1]! : null;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function error(status: number, code: string, message: string, field?: string): Response {
  return json(status, { error: field === undefined ? { code, message } : { code, message, field } });
}

function fromSSSyncError(e: SSSyncError): Response {
  const field = typeof e.details?.field === 'string' ? e.details.field : undefined;
  if (e.code === 'VERSION_MISMATCH') {
    return json(409, {
      error: {
        code: 'VERSION_MISMATCH',
        message: e.message,
        supportedProtocolVersions: [1],
        minSchemaVersion: 1,
        maxSchemaVersion: 1,
      },
    });
  }
  if (e.code === 'TOO_LARGE') {
    return json(413, {
      error: {
        code: 'TOO_LARGE',
        message: e.message,
        limit: Number(e.details?.limit ?? 0),
        ...(field ? { field } : {}),
      },
    });
  }
  return error(400, 'BAD_REQUEST', e.message, field);
}
