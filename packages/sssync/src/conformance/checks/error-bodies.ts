/** PROTOCOL.md §8: every error body of the run fits the format, and none leaks internals. */
import { ERROR_STATUS } from '../../protocol/error-body.js';
import { parseErrorBody } from '../../protocol/parse.js';
import { errorMessage } from '../../util/errors.js';
import { type Check, check, fail, show } from '../check.js';
import type { TestRun } from '../test-run.js';

/** Stack frames, Node internals, and SQL or driver errors: what an error message must never hold. */
const LEAKS: readonly RegExp[] = [
  /\n\s*at\s/,
  /\bat\s+\S+\s+\(?[^\s()]+:\d+:\d+\)?/,
  /node:internal|node_modules/,
  /\.(?:[cm]?js|ts):\d+/,
  /\bSELECT\s.+\sFROM\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b|\bUPDATE\s+\S+\s+SET\b/i,
  /SQLITE_[A-Z]+|\bER_[A-Z_]{3,}|syntax error at or near|duplicate key value violates/,
  /\b(?:TypeError|ReferenceError|RangeError|SyntaxError):/,
];

function leak(text: string): string | undefined {
  const found = LEAKS.map((re) => re.exec(text)?.[0]).find((m) => m !== undefined);
  return found === undefined ? undefined : found.trim().slice(0, 60);
}

async function errorBodies(t: TestRun): Promise<void> {
  if (t.errorAnswers.length === 0) fail('no request of the run got an error answer');
  const problems: string[] = [];
  for (const answer of t.errorAnswers) {
    let code: string;
    try {
      code = parseErrorBody(answer.json).error.code;
    } catch (e) {
      problems.push(
        `${answer.what}: ${answer.status} body ${show(answer.text, 80)} does not fit §8: ${errorMessage(e)}`,
      );
      continue;
    }
    const status = (ERROR_STATUS as Readonly<Record<string, number>>)[code];
    const statusFits =
      status === undefined || status === answer.status || (code === 'SERVER_ERROR' && answer.status >= 500);
    if (!statusFits)
      problems.push(`${answer.what}: code ${code} came with status ${answer.status}, not ${status}`);
    const type = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      problems.push(`${answer.what}: the error has Content-Type ${JSON.stringify(type)}`);
    const leaked = leak(answer.text.replace(/\\n/g, '\n'));
    if (leaked !== undefined) problems.push(`${answer.what}: the error body holds ${JSON.stringify(leaked)}`);
  }
  for (const { what, error } of t.mutationErrors) {
    const leaked = leak(JSON.stringify(error).replace(/\\n/g, '\n'));
    if (leaked !== undefined) problems.push(`${what}: the mutation error holds ${JSON.stringify(leaked)}`);
  }
  check(
    problems.length === 0,
    () =>
      `${problems.length} of ${t.errorAnswers.length + t.mutationErrors.length} errors: ${problems.slice(0, 3).join(' | ')}`,
  );
}

/** Runs after every other check: it inspects their answers. */
export const errorBodiesCheck: Check = {
  name: 'errors: every error body fits §8, with no stack trace or SQL',
  run: errorBodies,
};
