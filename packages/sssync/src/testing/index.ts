/**
 * testing/: helpers for tests, never for apps — the conformance suites that every implementation of a
 * seam (stores today) must pass. Imported only by test files, so it may use Vitest.
 */
export { runStoreSuite, type StoreSuiteOptions } from './store-suite.js';
