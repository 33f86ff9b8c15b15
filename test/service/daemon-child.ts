import { spawn, type ChildProcess } from 'node:child_process';
import { sibling } from '../helpers/repo.js';
import { nodeArgsFor } from '../helpers/node-entry.js';

/** The CLI entry point, run from TypeScript sources with this process's loader flags. */
const MAIN = sibling(import.meta.url, '../../src/main.ts');

export interface DaemonChild {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

/** `hearth ARGS` as a child with extra environment (NOTIFY_SOCKET, WATCHDOG_USEC). Killed at exit. */
export function spawnHearth(args: string[], env: Record<string, string>): DaemonChild {
  const child = spawn(process.execPath, [...nodeArgsFor(MAIN), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const guard = (): void => void child.kill('SIGKILL');
  process.once('exit', guard);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('exit', guard);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
