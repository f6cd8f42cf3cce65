/**
 * An in-process reference implementation of PROTOCOL.md over in-memory tables: small enough to read,
 * strict enough to test clients against, and the server the conformance suite is proven on. It takes
 * the options of `createSyncHandler` (the app's own mutators and resource queries), checks requests in
 * the order of §2.2, and runs each mutation and each pull alone (one mutex), so a version log whose
 * head is the cursor never skips. `bugs` turns it into the broken servers the suite must catch.
 */
import type { MutatorDefs } from '../mutation/mutators.js';
import { RESTORE_MUTATOR } from '../mutation/restore.js';
import { runMutation } from '../mutation/run-mutation.js';
import { PROTOCOL_LIMITS, PROTOCOL_VERSION } from '../protocol/limits.js';
import { parsePullRequest, parsePushRequest } from '../protocol/parse.js';
import type { Mutation, MutationError, MutationResult, PushRequest } from '../protocol/push.js';
import { Database, type RowId } from '../query/database.js';
import type { Predicate, Row } from '../query/predicate.js';
import type { Schema } from '../schema/schema.js';
import type { AuthContext, SyncHandlerOptions } from '../server/options.js';
import { SSSyncError } from '../util/errors.js';
import { errorAnswer, ok, Refused, refuse } from './reference/answers.js';
import { ChangeLog } from './reference/change-log.js';
import { mutationError } from './reference/mutation-error.js';
import { Mutex } from './reference/mutex.js';
import { type Group, Ownership } from './reference/ownership.js';
import { page } from './reference/page.js';
import { parseRequest, type ServedVersions } from './reference/parse-request.js';
import { parseJSONBody, readBody } from './reference/request-body.js';
import { matchResource, resolveScope } from './reference/resource-scope.js';

/** Deliberate faults, each breaking one promise of PROTOCOL.md, for proving that tests catch them. */
export interface ReferenceServerBugs {
  /** Runs a pushed mutation again when it is a duplicate (and still answers `duplicate: true`). */
  readonly reapplyDuplicates?: boolean;
  /**
   * Hands out versions when a transaction starts and lets one transaction that overlaps another request
   * commit late (after a pull has seen a higher version), while cursors stay "the highest version
   * visible": that pull's cursor skips the late commit.
   */
  readonly skipConcurrentCommit?: boolean;
  /** Serves requests `authenticate` refused, as the user their bearer token names (or `anonymous`). */
  readonly ignoreAuth?: boolean;
}

export interface ReferenceServerOptions<S extends Schema, M extends MutatorDefs<S>>
  extends SyncHandlerOptions<S, M> {
  readonly bugs?: ReferenceServerBugs;
}

interface LateCommit {
  readonly version: number;
  readonly commit: () => void;
}

export class ReferenceServer<S extends Schema, M extends MutatorDefs<S>> {
  readonly db: Database;
  readonly pushes: { clientID: string; ids: number[] }[] = [];
  /** How many times each `clientID/mutationID` ran: exactly-once means never more than 1. */
  readonly applied = new Map<string, number>();
  private readonly opts: ReferenceServerOptions<S, M>;
  private readonly bugs: ReferenceServerBugs;
  private readonly defs: MutatorDefs<S>;
  private readonly limits: Required<NonNullable<SyncHandlerOptions<S, M>['limits']>>;
  private readonly versions: ServedVersions;
  private readonly log = new ChangeLog();
  private readonly mutex = new Mutex();
  private readonly ownership = new Ownership();
  private inFlight = 0;
  private late: LateCommit | undefined;

  constructor(opts: ReferenceServerOptions<S, M>) {
    this.opts = opts;
    this.bugs = opts.bugs ?? {};
    this.db = new Database(opts.schema);
    // As the real server: undo's restore mutator runs only if the app supplies its own.
    const { [RESTORE_MUTATOR]: _unsafe, ...shared } = opts.mutators.defs as MutatorDefs<S>;
    this.defs = { ...shared, ...opts.serverMutators };
    this.limits = {
      maxRequestBytes: opts.limits?.maxRequestBytes ?? PROTOCOL_LIMITS.maxRequestBytes,
      maxMutationsPerPush: opts.limits?.maxMutationsPerPush ?? PROTOCOL_LIMITS.maxMutationsPerPush,
      maxResourcesPerPull: opts.limits?.maxResourcesPerPull ?? PROTOCOL_LIMITS.maxResourcesPerPull,
      pageSize: opts.limits?.pageSize ?? PROTOCOL_LIMITS.pageSize,
    };
    this.versions = {
      supportedProtocolVersions: [PROTOCOL_VERSION],
      minSchemaVersion: opts.minSchemaVersion ?? opts.schema.version,
      maxSchemaVersion: opts.schema.version,
    };
    if (this.limits.maxRequestBytes < PROTOCOL_LIMITS.minRequestBytes || this.limits.pageSize < 1) {
      throw new SSSyncError('INVALID_ARGUMENT', 'limits: maxRequestBytes must be ≥ 512 KiB, pageSize ≥ 1.');
    }
  }

  /** A `fetch` that calls the handler in-process. */
  readonly fetch = async (input: string, init: RequestInit): Promise<Response> =>
    this.handle(new Request(input, init));

  readonly handle = async (request: Request): Promise<Response> => {
    this.inFlight++;
    try {
      return await this.answer(request);
    } catch (e) {
      if (e instanceof Refused) return e.response;
      return errorAnswer('SERVER_ERROR', 'The server failed to answer; try again later.');
    } finally {
      this.inFlight--;
      if (this.late && this.inFlight <= 1) this.late.commit();
    }
  };

  /** Writes straight into the server's data, as another process would. */
  write(table: string, row: Row | null, id?: RowId): void {
    const rowID = (row?.id ?? id) as RowId;
    this.db.apply(table, rowID, row);
    this.log.append(this.log.take(), [{ table, id: rowID }]);
  }

  rows(table: string): Row[] {
    return [...this.db.table(table).rows.values()];
  }

  /** Marks every row of a table changed, e.g. after a permission change that moves rows across scopes. */
  touchAll(table: string): void {
    const ids = [...this.db.table(table).rows.keys()];
    this.log.append(
      this.log.take(),
      ids.map((id) => ({ table, id })),
    );
  }

  /** §2.2 steps 1 to 4; the endpoints do the rest. */
  private async answer(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      refuse('METHOD_NOT_ALLOWED', `Use POST, not ${request.method}.`, {}, { allow: 'POST' });
    }
    const endpoint = new URL(request.url).pathname.split('/').at(-1);
    if (endpoint !== 'push' && endpoint !== 'pull') {
      refuse('NOT_FOUND', 'No such endpoint: the sync endpoints are <server>/push and <server>/pull.');
    }
    const bytes = await readBody(request, this.limits.maxRequestBytes);
    const auth = await this.authenticate(request);
    const retryAfter = await this.opts.rateLimit?.(request, auth);
    if (retryAfter !== undefined) {
      refuse(
        'RATE_LIMITED',
        `Too many requests. Retry in ${retryAfter} seconds.`,
        { retryAfter },
        { 'retry-after': String(retryAfter) },
      );
    }
    const json = parseJSONBody(bytes);
    return endpoint === 'push' ? this.push(json, auth.userID) : this.pull(json, auth.userID);
  }

  private async authenticate(request: Request): Promise<AuthContext> {
    const auth = await this.opts.authenticate(request);
    if (auth) return auth;
    if (this.bugs.ignoreAuth) {
      const token = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return { userID: token ?? 'anonymous' };
    }
    return refuse(
      'UNAUTHORIZED',
      'Sign in: the credentials are missing, invalid or expired.',
      {},
      {
        'www-authenticate': 'Bearer',
      },
    );
  }

  private async push(json: unknown, userID: string): Promise<Response> {
    const req = parseRequest(() => parsePushRequest(json, this.limits), this.versions);
    const group = await this.mutex.run(() => this.ownership.claim(req.clientGroupID, userID, req.clientID));
    this.pushes.push({ clientID: req.clientID, ids: req.mutations.map((m) => m.id) });
    const results: MutationResult[] = [];
    for (const [i, m] of req.mutations.entries()) results.push(await this.pushOne(req, i, m, group, userID));
    return ok({
      protocolVersion: PROTOCOL_VERSION,
      results,
      lastMutationIDs: Object.fromEntries(group.lastMutationIDs),
    });
  }

  /** One mutation in its own transaction (§5.2): duplicate, run, or gap. */
  private async pushOne(
    req: PushRequest,
    index: number,
    m: Mutation,
    group: Group,
    userID: string,
  ): Promise<MutationResult> {
    let late: Promise<void> | undefined;
    const result = await this.mutex.run(async (): Promise<MutationResult> => {
      const last = group.lastMutationIDs.get(req.clientID) ?? 0;
      if (m.id > last + 1) {
        refuse(
          'MUTATION_ID_GAP',
          `Mutation ${m.id} of client ${req.clientID} cannot run: the server has applied up to ${last}. Send mutation ${last + 1} first.`,
          { field: `mutations[${index}].id`, lastMutationID: last },
        );
      }
      const duplicate = m.id <= last;
      if (duplicate && !this.bugs.reapplyDuplicates) return { id: m.id, ok: true, duplicate: true };
      const version = this.log.take();
      const outcome = await this.execute(m, req.clientID, userID);
      const key = `${req.clientID}/${m.id}`;
      if (!('error' in outcome)) this.applied.set(key, (this.applied.get(key) ?? 0) + 1);
      if (!duplicate) group.lastMutationIDs.set(req.clientID, m.id);
      const rows = 'error' in outcome ? [] : outcome.changes;
      if (this.bugs.skipConcurrentCommit && this.late === undefined && this.inFlight > 1) {
        late = new Promise((resolve) => {
          this.late = {
            version,
            commit: () => {
              this.late = undefined;
              this.log.append(version, rows);
              resolve();
            },
          };
        });
      } else {
        this.log.append(version, rows);
      }
      if (duplicate) return { id: m.id, ok: true, duplicate: true };
      return 'error' in outcome ? { id: m.id, ok: false, error: outcome.error } : { id: m.id, ok: true };
    });
    await late;
    return result;
  }

  private async execute(
    m: Mutation,
    clientID: string,
    userID: string,
  ): Promise<{ changes: { table: string; id: RowId }[] } | { error: MutationError }> {
    try {
      const log = await runMutation(this.db, this.defs, m.name, m.args, {
        clientID,
        mutationID: m.id,
        reason: 'server',
        location: 'server',
        userID,
      });
      return { changes: log.changes(this.db) };
    } catch (e) {
      return { error: mutationError(e) };
    }
  }

  private async pull(json: unknown, userID: string): Promise<Response> {
    const req = parseRequest(() => parsePullRequest(json, this.limits), this.versions);
    return this.mutex.run(async () => {
      const group = this.ownership.claim(req.clientGroupID, userID);
      const scopes: Map<string, Predicate>[] = [];
      for (const [i, r] of req.resources.entries()) scopes.push(await this.scope(r.path, i, userID));
      const resources = req.resources.map((r, i) => ({
        path: r.path,
        ...page(this.log, this.db, r.cursor, scopes[i]!, this.limits.pageSize),
      }));
      const response = ok({
        protocolVersion: PROTOCOL_VERSION,
        resources,
        lastMutationIDs: Object.fromEntries(group.lastMutationIDs),
      });
      if (this.late && this.log.head > this.late.version) this.late.commit();
      return response;
    });
  }

  /** §6.4: 404 for a path no pattern matches, 403 when the definition says FORBIDDEN. */
  private async scope(path: string, index: number, userID: string): Promise<Map<string, Predicate>> {
    const field = `resources[${index}].path`;
    const match = matchResource(this.opts.resources, path);
    if (!match) return refuse('UNKNOWN_RESOURCE', `No resource matches ${JSON.stringify(path)}.`, { field });
    try {
      return await resolveScope(this.db, match, userID);
    } catch (e) {
      if (e instanceof SSSyncError && e.code === 'FORBIDDEN')
        return refuse('FORBIDDEN', e.message, { field });
      throw e;
    }
  }
}
