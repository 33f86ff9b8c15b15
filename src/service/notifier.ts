import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from '../log/logger.js';

/**
 * sd_notify(3) for Node: tells systemd READY=1, WATCHDOG=1, STOPPING=1, STATUS=...
 *
 * The protocol is one datagram per message on the AF_UNIX socket named by $NOTIFY_SOCKET. Node
 * cannot send AF_UNIX datagrams (node:dgram is UDP only, node:net is stream only), so a helper
 * process does the sending. Why a LONG-LIVED helper (socat, else python3), not `systemd-notify`
 * per message:
 *   - systemd attributes a notification to a unit by the sender's PID (SCM_CREDENTIALS). A short-
 *     lived `systemd-notify` has often exited before PID 1 reads the datagram; the cgroup lookup then
 *     fails and the message is dropped (systemd < 256 on kernels without SO_PEERPIDFD, i.e. Raspberry
 *     Pi OS bookworm). A lost WATCHDOG=1 means a needless restart; a lost READY=1 a failed start.
 *   - one helper for the life of the daemon stays in the service's cgroup, so attribution always
 *     works (the unit needs NotifyAccess=all because the helper is not the main PID);
 *   - no fork+exec every few seconds on a small board;
 *   - the helper reads our stdin pipe: when the daemon dies, even by SIGKILL, the pipe closes and
 *     the helper exits, so it can never keep a dead daemon's watchdog alive.
 * Each write to the pipe becomes at most one datagram. Two writes may be coalesced into one
 * datagram; that is harmless because a notification may carry several newline-separated
 * assignments.
 * A native addon would avoid the helper but needs a compiler on every install; not worth it here.
 */
export interface Notifier {
  /** Whether messages go anywhere (NOTIFY_SOCKET was set and a helper is available). */
  readonly enabled: boolean;
  /** Sends assignments such as `{ READY: '1', STATUS: 'running' }` as one notification. */
  send(assignments: Record<string, string>): void;
  close(): Promise<void>;
}

/** Where a notify helper lives; overridable for tests. */
export interface HelperCandidates {
  socat: string;
  python3: string;
}

export const DEFAULT_HELPERS: HelperCandidates = { socat: '/usr/bin/socat', python3: '/usr/bin/python3' };

// Reads chunks from stdin and sends each as one datagram; exits at EOF (the daemon is gone).
const PYTHON_HELPER = [
  'import os, socket, sys',
  'p = sys.argv[1]',
  "a = '\\0' + p[1:] if p.startswith('@') else p",
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  'while True:',
  '    d = os.read(0, 65536)',
  '    if not d: break',
  '    try: s.sendto(d, a)',
  '    except OSError as e: sys.stderr.write("notify: %s\\n" % e)',
].join('\n');

class NullNotifier implements Notifier {
  readonly enabled = false;
  send(): void {}
  async close(): Promise<void> {}
}

/** A message for sd_notify: KEY=value lines; newlines inside a value would split it, so they are flattened. */
export function formatNotification(assignments: Record<string, string>): string {
  return Object.entries(assignments)
    .map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}\n`)
    .join('');
}

/** The helper's command line for a NOTIFY_SOCKET value ("/run/systemd/notify" or "@abstract"). */
export function helperCommand(socket: string, helpers: HelperCandidates = DEFAULT_HELPERS): { file: string; args: string[] } | undefined {
  if (existsSync(helpers.socat)) {
    const address = socket.startsWith('@') ? `ABSTRACT-SENDTO:${socket.slice(1)}` : `UNIX-SENDTO:${socket}`;
    return { file: helpers.socat, args: ['-u', 'STDIN', address] };
  }
  if (existsSync(helpers.python3)) return { file: helpers.python3, args: ['-c', PYTHON_HELPER, socket] };
  return undefined;
}

const RESPAWN_MIN_INTERVAL_MS = 5000;

class HelperNotifier implements Notifier {
  readonly enabled = true;
  private child: ChildProcess | undefined;
  private lastSpawn = -Infinity;
  private closed = false;

  constructor(
    private readonly command: { file: string; args: string[] },
    private readonly logger: Logger,
  ) {
    this.spawnHelper();
  }

  send(assignments: Record<string, string>): void {
    if (this.closed) return;
    // A helper that died is replaced, at most every few seconds; meanwhile messages are dropped,
    // which for WATCHDOG=1 errs on the safe side (systemd restarts us).
    if (this.child === undefined && performance.now() - this.lastSpawn >= RESPAWN_MIN_INTERVAL_MS) this.spawnHelper();
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed) return;
    stdin.write(formatNotification(assignments));
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (child === undefined) return;
    // EOF lets the helper send what it already read and exit by itself; kill only if it lingers.
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private spawnHelper(): void {
    this.lastSpawn = performance.now();
    const child = spawn(this.command.file, this.command.args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    child.stdin.on('error', () => undefined); // EPIPE after the helper died: handled by 'exit'
    child.stderr?.on('data', (d: Buffer) => this.logger.warn({ helper: this.command.file, msg: d.toString().trim() }, 'sd_notify helper'));
    child.once('error', (err) => this.logger.error({ err, helper: this.command.file }, 'sd_notify helper failed to start'));
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (!this.closed) this.logger.error({ code, signal, helper: this.command.file }, 'sd_notify helper exited');
    });
    // The helper must not keep the process alive on its own (stdio handles would).
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  }
}

/** A notifier for this process: active when systemd (or a test) set NOTIFY_SOCKET. */
export function createNotifier(
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  helpers: HelperCandidates = DEFAULT_HELPERS,
): Notifier {
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') return new NullNotifier();
  const command = helperCommand(socket, helpers);
  if (command === undefined) {
    logger.error(
      { tried: [helpers.socat, helpers.python3] },
      'NOTIFY_SOCKET is set but no sd_notify helper was found (install socat); systemd will not see READY=1',
    );
    return new NullNotifier();
  }
  return new HelperNotifier(command, logger);
}
