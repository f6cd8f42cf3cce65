/**
 * conformance/: the suite that checks any sync server against PROTOCOL.md over HTTP, with the server in
 * its conformance test mode (§11). `sssync conformance <url>` runs it; tests run it in-process.
 */
export type { CheckResult } from './check.js';
export { type ConformanceOptions, runConformance } from './run.js';
export type { FetchFn } from './test-run.js';
