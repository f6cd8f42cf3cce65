/**
 * The one error class of SSSync. `code` is stable and safe to switch on; `message` says what to do.
 */
export type SSSyncErrorCode =
  | 'INVALID_SCHEMA'
  | 'INVALID_QUERY'
  | 'INVALID_ARGUMENT'
  | 'INVALID_ROW'
  | 'UNKNOWN_TABLE'
  | 'UNKNOWN_COLUMN'
  | 'UNKNOWN_RELATIONSHIP'
  | 'UNKNOWN_MUTATOR'
  | 'UNKNOWN_RESOURCE'
  | 'DUPLICATE_ID'
  | 'NOT_FOUND'
  | 'MUTATOR_FAILED'
  | 'MIGRATION_FAILED'
  | 'STORE_CORRUPTED'
  | 'STORE_NEWER_SCHEMA'
  | 'STORE_WRITE_FAILED'
  | 'STORE_QUOTA_EXCEEDED'
  | 'STORE_CLOSED'
  | 'CLOSED'
  | 'NETWORK'
  | 'PROTOCOL'
  | 'BAD_REQUEST'
  | 'MUTATION_ID_GAP'
  | 'OFFLINE'
  | 'SERVER_REJECTED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'VERSION_MISMATCH'
  | 'TOO_LARGE'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR';

export class SSSyncError extends Error {
  override readonly name = 'SSSyncError';
  readonly code: SSSyncErrorCode;
  /** Extra, machine-readable facts about the failure (the offending field, the argument index…). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: SSSyncErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

export function isSSSyncError(e: unknown, code?: SSSyncErrorCode): e is SSSyncError {
  return e instanceof SSSyncError && (code === undefined || e.code === code);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
