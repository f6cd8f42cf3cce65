/**
 * testing/: helpers for tests, never for apps — the conformance suites that every implementation of a
 * seam (stores today) must pass. Imported only by test files, so it may use Vitest.
 */

export { type Fault, type FaultLog, faultyFetch } from './faulty-fetch.js';
export {
  ReferenceServer,
  type ReferenceServerBugs,
  type ReferenceServerOptions,
} from './reference-server.js';
export { runStoreSuite, type StoreSuiteOptions } from './store-suite.js';
