import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoPath } from './repo.js';

/**
 * Starts scripts/sim/pymodbus_server.py, an independent Modbus slave, for a test. Debian's
 * /usr/bin/python3 is used on purpose: a python3 earlier on PATH does not see python3-pymodbus.
 */
const SCRIPT = repoPath('scripts/sim/pymodbus_server.py');
const PYTHON = '/usr/bin/python3';

export type AreaInit = Partial<Record<'holding' | 'input' | 'coil' | 'discrete', Record<number, number | number[]>>>;

export interface PymodbusOptions {
  mode: 'tcp' | 'rtu' | 'rtu-over-tcp';
  /** TCP modes: port on 127.0.0.1. */
  port?: number;
  /** RTU mode: serial device path (one end of a socat pty pair). */
  device?: string;
  baud?: number;
  /** Units served; requests to any other unit get no reply (pymodbus 3.0.0rc1 drops them). */
  units: number[];
  init?: Record<number, AreaInit>;
  /** Write links per unit: a write to `from` shows at `to` after `delayMs` (the script's --links). */
  links?: Record<number, { from: string; to: string; delayMs?: number; value?: number }[]>;
  readyTimeoutMs?: number;
}

export interface PymodbusServer {
  readonly pid: number;
  /** Sends a stdin command (`mute 2`, `unmute 2`, `set 1 holding 0 42`) and waits for its OK. */
  command(line: string): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcessWithoutNullStreams>();
// Last line of defence against leaked servers when a test dies without its teardown.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startPymodbus(opts: PymodbusOptions): Promise<PymodbusServer> {
  const args = [SCRIPT, '--mode', opts.mode, '--units', opts.units.join(','), '--init', JSON.stringify(opts.init ?? {})];
  if (opts.links !== undefined) args.push('--links', JSON.stringify(opts.links));
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  if (opts.device !== undefined) args.push('--device', opts.device);
  if (opts.baud !== undefined) args.push('--baud', String(opts.baud));
  const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => running.delete(child));
  const lines = createInterface({ input: child.stdout });
  const waiters: { prefix: string; done(): void }[] = [];
  lines.on('line', (line) => {
    const i = waiters.findIndex((w) => line.startsWith(w.prefix));
    if (i >= 0) waiters.splice(i, 1)[0]!.done();
  });
  const waitLine = (prefix: string, timeoutMs: number): Promise<void> =>
    new Promise((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error(`pymodbus: no "${prefix}" within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
      waiters.push({
        prefix,
        done: () => {
          clearTimeout(timer);
          resolveLine();
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`pymodbus exited (code ${child.exitCode}) before "${prefix}"\n${stderr}`));
      });
    });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitLine('READY', opts.readyTimeoutMs ?? 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    pid: child.pid!,
    async command(line) {
      const ok = waitLine(`OK ${line}`, 5000);
      child.stdin.write(`${line}\n`);
      await ok;
    },
    stop,
  };
}
