/** Metadata keys the client keeps in its store. */
export const META = {
  /** The layout of the client's data in the store; bumped only by SSSync itself. */
  format: 'format',
  schemaVersion: 'schemaVersion',
  clientGroupID: 'clientGroupID',
  clientID: 'clientID',
  nextMutationID: 'nextMutationID',
  /** Counts commits, so another tab applying the leader's broadcasts can skip ones it already has. */
  commitSeq: 'commitSeq',
  /** Recent forwarded requests (tab request id → mutation id), so a new leader never applies one twice. */
  requests: 'requests',
} as const;

/** 2: resource membership is one record per data page (1: one per row; upgraded when opened). */
export const STORE_FORMAT = 2;

export function randomID(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(36).padStart(2, '0');
  return s;
}
