import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/net.js';

/**
 * A real AF_UNIX datagram socket playing systemd's NOTIFY_SOCKET. Node cannot bind one, so Debian's
 * python3 does: it prints every datagram it receives as one JSON line (base64 would be overkill:
 * sd_notify messages are text).
 */
const RECEIVER = [
  'import json, os, socket, sys',
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  's.bind(sys.argv[1])',
  'print(json.dumps({"bound": True}), flush=True)',
  'while True:',
  '    d = s.recv(65536)',
  '    print(json.dumps({"data": d.decode("utf-8", "replace")}), flush=True)',
].join('\n');

export class NotifyReceiver {
  /** Every datagram, in arrival order. */
  readonly datagrams: string[] = [];
  private constructor(
    readonly socketPath: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<NotifyReceiver> {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-notify-'));
    const socketPath = join(dir, 'notify.sock');
    const child = spawn('/usr/bin/python3', ['-u', '-c', RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = new NotifyReceiver(socketPath, dir, child);
    let buf = '';
    let bound = false;
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as { bound?: boolean; data?: string };
        if (msg.bound) bound = true;
        if (msg.data !== undefined) r.datagrams.push(msg.data);
      }
    });
    process.once('exit', () => child.kill('SIGKILL'));
    await waitFor(() => bound && existsSync(socketPath), 15_000);
    return r;
  }

  /** Every assignment received, split out of the datagrams, in order ("READY=1", "WATCHDOG=1", ...). */
  assignments(): string[] {
    return this.datagrams.flatMap((d) => d.split('\n').filter((l) => l !== ''));
  }

  count(assignment: string): number {
    return this.assignments().filter((a) => a === assignment).length;
  }

  /** Assignments strictly between two marker assignments (sent by the test through the same notifier). */
  between(from: string, to: string): string[] {
    const all = this.assignments();
    const a = all.indexOf(from);
    const b = all.indexOf(to);
    if (a < 0 || b < 0) throw new Error(`markers ${from} / ${to} not both received: ${all.join(' | ')}`);
    return all.slice(a + 1, b);
  }

  async waitFor(assignment: string, timeoutMs = 20_000): Promise<void> {
    await waitFor(() => this.assignments().includes(assignment), timeoutMs).catch(() => {
      throw new Error(`no ${assignment} within ${timeoutMs} ms; received: ${this.assignments().join(' | ')}`);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
