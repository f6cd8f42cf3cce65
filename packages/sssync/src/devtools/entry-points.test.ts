import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('..', import.meta.url));

/** The source files esbuild puts in a browser bundle of `entry` (packages left out). */
async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [`${src}${entry}`],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('entry points', () => {
  it('the core bundle holds none of the devtools panel', async () => {
    const inputs = await inputsOf('index.ts');
    expect(inputs.some((p) => p.endsWith('client/sssync.ts'))).toBe(true);
    expect(inputs.some((p) => p.endsWith('client/inspector.ts'))).toBe(true);
    expect(inputs.filter((p) => p.includes('/devtools/'))).toEqual([]);
  });

  it('the devtools bundle holds the panel and none of the core (it only uses the client it is given)', async () => {
    const inputs = await inputsOf('devtools/index.ts');
    expect(inputs.some((p) => p.endsWith('devtools/mount.ts'))).toBe(true);
    expect(inputs.filter((p) => !p.includes('/devtools/'))).toEqual([]);
  });
});
