import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './net.js';

/**
 * A connected pair of pseudo-terminals from socat: bytes written to `a` come out of `b` and back,
 * so the real serialport code path runs against a slave on the other end.
 */
export interface PtyPair {
  a: string;
  b: string;
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function createPtyPair(label = 'pty'): Promise<PtyPair> {
  const base = join(tmpdir(), `hearth-${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const a = `${base}-a`;
  const b = `${base}-b`;
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => running.delete(child));

  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(a, { force: true });
    rmSync(b, { force: true });
  };
  try {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`socat exited: ${stderr}`);
      // socat logs this once both ptys exist and it is relaying.
      return existsSync(a) && existsSync(b) && stderr.includes('starting data transfer loop');
    }, 5000, 10);
  } catch (err) {
    await close();
    throw err;
  }
  return { a, b, close };
}
