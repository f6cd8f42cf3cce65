/** Starts `server-process.ts` as a child process and hands back its URL; the caller kills it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Loopback {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): void;
}

export function startLoopbackServer(rows: number): Promise<Loopback> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', new URL('./server-process.ts', import.meta.url).pathname],
    { env: { ...process.env, BENCH_ROWS: String(rows) }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { port } = JSON.parse(line) as { port: number };
      resolve({ url: `http://127.0.0.1:${port}/sync`, child, stop: () => child.kill() });
    });
  });
}
