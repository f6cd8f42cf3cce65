/** PROTOCOL.md §2: the method, the URL, and the headers of a 200. */
import { type Check, check, fail } from '../check.js';
import { actor, expectError, pushBody, summary } from '../protocol-client.js';
import { bearer, type TestRun } from '../test-run.js';

async function getIsNotAllowed(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  for (const endpoint of ['push', 'pull']) {
    const answer = await t.send(endpoint, `GET ${endpoint}`, {
      method: 'GET',
      contentType: null,
      auth: bearer(a.user),
    });
    expectError(answer, 405, 'METHOD_NOT_ALLOWED');
    const allow = answer.headers.get('allow') ?? '';
    check(
      allow.split(',').some((m) => m.trim().toUpperCase() === 'POST'),
      `GET ${endpoint}: the 405 has Allow ${JSON.stringify(allow)}, not POST`,
    );
  }
}

async function anotherURL(t: TestRun): Promise<void> {
  const a = actor(t, t.user('a'));
  for (const endpoint of ['nope', 'push/more']) {
    const answer = await t.send(endpoint, `POST ${endpoint}`, {
      json: pushBody(a, []),
      auth: bearer(a.user),
    });
    expectError(answer, 404, 'NOT_FOUND');
  }
}

/** Looks at every 200 of the run so far. */
async function okHeaders(t: TestRun): Promise<void> {
  if (t.okAnswers.length === 0) fail('no request of the run got a 200');
  const wrong = t.okAnswers.filter((answer) => {
    const type = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const cache = (answer.headers.get('cache-control') ?? '').toLowerCase();
    return type !== 'application/json' || !cache.includes('no-store') || answer.json === undefined;
  });
  const first = wrong[0];
  check(
    first === undefined,
    () =>
      `${wrong.length} of ${t.okAnswers.length} 200s lack Content-Type: application/json, Cache-Control: no-store or a JSON body; ` +
      `first: ${first!.what}: Content-Type ${JSON.stringify(first!.headers.get('content-type'))}, ` +
      `Cache-Control ${JSON.stringify(first!.headers.get('cache-control'))}, ${summary(first!)}`,
  );
}

export const transportChecks: readonly Check[] = [
  { name: 'transport: GET → 405 METHOD_NOT_ALLOWED with Allow: POST', run: getIsNotAllowed },
  { name: 'transport: another URL → 404 NOT_FOUND', run: anotherURL },
];

/** Runs after every other check: it inspects their answers. */
export const okHeadersCheck: Check = {
  name: 'transport: every 200 is JSON with Cache-Control: no-store',
  run: okHeaders,
};
