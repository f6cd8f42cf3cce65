import type { DevtoolsSource } from '../client/inspector.js';
import type { SSSync } from '../client/sssync.js';

/** Any client, whatever its schema and mutators. */
export type AnyClient = SSSync<any, any>;

export interface TabContext {
  readonly doc: Document;
  readonly client: AnyClient;
  readonly source: DevtoolsSource;
}

/** One tab's content: built when the tab is shown, `update()`d when the client changes, then destroyed. */
export interface TabView {
  readonly element: HTMLElement;
  update(): void;
  destroy(): void;
}
