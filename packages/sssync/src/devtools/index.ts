/**
 * sssync/devtools: an in-app inspector for a client, mounted with one call. Owns the panel (plain
 * DOM in a shadow root, no framework) and its tabs: tables and their rows, the outbox, resources,
 * the request log, the schema; a simulated-offline switch and a JSON export. It reads the client
 * only through its public API and `client.inspect()`; the core never imports this folder.
 */

export { type DevtoolsHandle, type DevtoolsOptions, mountDevtools } from './mount.js';
