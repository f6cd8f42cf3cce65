/** §2.2 steps 4 to 6 of a request: protocol version, item counts and fields, then the schema version. */
import { PROTOCOL_VERSION } from '../../protocol/limits.js';
import { SSSyncError } from '../../util/errors.js';
import { refuse } from './answers.js';

/** What a server serves: the extra fields of its VERSION_MISMATCH answers. */
export interface ServedVersions {
  readonly supportedProtocolVersions: readonly number[];
  readonly minSchemaVersion: number;
  readonly maxSchemaVersion: number;
}

/**
 * Runs one of the protocol's parse functions and answers what it throws: 409 for another protocol
 * version, 413 for too many items, 400 naming the field; then 409 for a schema version not served.
 */
export function parseRequest<T extends { readonly schemaVersion: number }>(
  parse: () => T,
  versions: ServedVersions,
): T {
  let req: T;
  try {
    req = parse();
  } catch (e) {
    if (!(e instanceof SSSyncError)) throw e;
    const field = typeof e.details?.field === 'string' ? e.details.field : undefined;
    if (e.code === 'VERSION_MISMATCH') {
      refuse('VERSION_MISMATCH', `This server speaks protocol version ${PROTOCOL_VERSION}. Update the app.`, {
        field: 'protocolVersion',
        ...versions,
      });
    }
    if (e.code === 'TOO_LARGE') refuse('TOO_LARGE', e.message, { field, limit: e.details?.limit });
    return refuse('BAD_REQUEST', e.message, field === undefined ? {} : { field });
  }
  const { minSchemaVersion: min, maxSchemaVersion: max } = versions;
  if (req.schemaVersion < min || req.schemaVersion > max) {
    refuse(
      'VERSION_MISMATCH',
      `This server serves schema versions ${min} to ${max}; this client has schema version ${req.schemaVersion}. Update the app.`,
      { field: 'schemaVersion', ...versions },
    );
  }
  return req;
}
