/**
 * A sync server in another runtime (Bun, Deno) as a child process: its entry is bundled to a temporary
 * file, the runtime starts it on a free loopback port (port 0) and prints `listening <url>`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './bundle.js';

export interface ChildServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** The runtime binary npm installed (`node_modules/.bin/<name>`). */
export const binary = (name: 'bun' | 'deno'): string => join(REPO, 'node_modules', '.bin', name);

export async function startChildServer(
  command: string,
  args: (entryFile: string) => readonly string[],
  code: string,
): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sssync-deploy-'));
  const entry = join(dir, 'server.mjs');
  writeFileSync(entry, code);
  const child = spawn(command, args(entry), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${command} did not start in 30 s:\n${output}`)),
        30_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /listening (http:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${command} exited with ${code}:\n${output}`));
      });
    });
    return { url, stop: () => stop(child, dir) };
  } catch (e) {
    await stop(child, dir);
    throw e;
  }
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
