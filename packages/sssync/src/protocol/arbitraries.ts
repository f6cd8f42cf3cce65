/** fast-check generators of valid v1 messages, for the property tests of protocol/. */
import fc from 'fast-check';

export const clientID = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,16}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }).map(encodeURIComponent),
);

export const resourcePath = fc
  .array(
    segment.filter((s) => {
      const decoded = decodeURIComponent(s);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it excludes
      return decoded !== '.' && decoded !== '..' && !/[\u0000-\u001f\u007f]/.test(decoded);
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((segments) => `/${segments.join('/')}`);

const cursor = fc.string({ minLength: 1, maxLength: 40 });
const lastMutationIDs = fc.dictionary(clientID, fc.nat(), { maxKeys: 4 });
const versions = { protocolVersion: fc.constant(1), schemaVersion: fc.integer({ min: 1, max: 1000 }) };

/** `n` consecutive ids from a random start, for the items `make` builds around each id. */
const consecutive = <T>(make: (id: number) => fc.Arbitrary<T>, maxLength: number) =>
  fc
    .tuple(fc.integer({ min: 1, max: 2 ** 40 }), fc.nat(maxLength))
    .chain(([first, n]) => fc.tuple(...Array.from({ length: n }, (_, i) => make(first + i))));

export const pushRequest = fc.record({
  ...versions,
  clientGroupID: clientID,
  clientID,
  mutations: consecutive(
    (id) =>
      fc.record({
        id: fc.constant(id),
        name: fc.string({ minLength: 1, maxLength: 128 }),
        args: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }),
        timestamp: fc.nat(),
      }),
    5,
  ),
});

const mutationError = fc.record(
  { code: fc.stringMatching(/^[A-Z_]{1,64}$/), message: fc.string(), field: fc.string() },
  { requiredKeys: ['code', 'message'] },
);

export const pushResponse = fc.record({
  protocolVersion: fc.constant(1),
  results: consecutive(
    (id) =>
      fc.oneof(
        fc.constant({ id, ok: true }),
        fc.constant({ id, ok: true, duplicate: true }),
        mutationError.map((error) => ({ id, ok: false, error })),
      ),
    5,
  ),
  lastMutationIDs,
});

export const pullRequest = fc.record({
  ...versions,
  clientGroupID: clientID,
  clientID,
  resources: fc.uniqueArray(fc.record({ path: resourcePath, cursor: fc.option(cursor, { nil: null }) }), {
    selector: (r) => r.path,
    maxLength: 4,
  }),
});

const table = fc.string({ minLength: 1, maxLength: 128 });
const rowID = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const row = fc
  .tuple(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }), rowID)
  .map(([columns, id]) => ({ ...columns, id }));

const patchOp = fc.oneof(
  fc.record({ op: fc.constant('put' as const), table, row }),
  fc.record({ op: fc.constant('del' as const), table, id: rowID }),
);

export const pullResponse = fc.record({
  protocolVersion: fc.constant(1),
  resources: fc.uniqueArray(
    fc.record({
      path: resourcePath,
      cursor,
      patch: fc
        .tuple(fc.boolean(), fc.array(patchOp, { maxLength: 5 }))
        .map(([clear, ops]) => (clear ? [{ op: 'clear' as const }, ...ops] : ops)),
      more: fc.boolean(),
    }),
    { selector: (r) => r.path, maxLength: 3 },
  ),
  lastMutationIDs,
});
