import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nodeArgsFor } from './node-entry.js';

/**
 * The CLI entry point, run from TypeScript sources with the same loader flags as the test; from the
 * compiled tree (the benchmarks import this helper from dist/) the compiled entry point.
 */
const MAIN = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../src/main.js' : '../../src/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hearth ARGS` to completion. */
export function runHearth(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgsFor(MAIN), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hearth ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningHearth {
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface StartOptions {
  /** Node's own flags, before the entry point (e.g. the systemd unit's). */
  nodeFlags?: string[];
  /** A program that runs node: `launcher... node FLAGS main.js ARGS` (e.g. one that restricts it first). */
  launcher?: string[];
}

/** Starts `hearth ARGS` (typically `run --config F`) in the background. Killed at process exit. */
export function startHearth(args: string[], opts: StartOptions = {}): RunningHearth {
  const argv = [...(opts.nodeFlags ?? []), ...nodeArgsFor(MAIN), ...args];
  const [command, ...prefix] = opts.launcher === undefined ? [process.execPath] : [...opts.launcher, process.execPath];
  const child = spawn(command!, [...prefix, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const guard = (): void => void child.kill('SIGKILL');
  process.once('exit', guard);
  return {
    child,
    output: () => out,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      process.off('exit', guard);
      return code;
    },
  };
}
