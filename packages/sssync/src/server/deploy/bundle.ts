/**
 * Bundles a deployment's entry for the deploy tests as the runtime will load it: one ES module with
 * `sssync` taken from its sources (the "source" export condition), as a user's bundler would take
 * it from `dist/`.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');

export interface BundleOptions {
  /** The entry's source; its imports resolve from the repository root. */
  readonly contents: string;
  readonly platform: 'browser' | 'node' | 'neutral';
  readonly conditions?: readonly string[];
  /** Packages left as imports for the runtime to load (rewritten by `plugins`, if any). */
  readonly external?: readonly string[];
  readonly plugins?: readonly Plugin[];
}

export async function bundle(options: BundleOptions): Promise<string> {
  const result = await build({
    stdin: { contents: options.contents, resolveDir: REPO, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: options.platform,
    conditions: ['source', ...(options.conditions ?? [])],
    external: [...(options.external ?? [])],
    plugins: [...(options.plugins ?? [])],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
