import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './net.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** Credentials: anonymous clients are refused when set. */
  users?: Record<string, string>;
  /** Adds a TLS listener. */
  tls?: { caFile: string; certFile: string; keyFile: string; requireCertificate: boolean };
  /**
   * Keep sessions and queued messages across a graceful stop()/start() (saved in the temp folder):
   * a platform subscriber with a persistent session then misses nothing published while it was
   * still reconnecting. Default off.
   */
  persistence?: boolean;
  /** Content of an ACL file (mosquitto `topic read|write|readwrite <filter>` lines). */
  acl?: string;
  /** More mosquitto.conf lines (limits for the fleet test). */
  extra?: string[];
}

/** Every broker this process started, so none outlives the test file even on a crash. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A real Mosquitto on 127.0.0.1 with a generated config in a temp folder: plain listener on
 * `port`, optional TLS listener on `tlsPort`, no persistence unless asked (a restart then forgets
 * retained messages and sessions, like a broker that was replaced). stop()/start() keep the ports
 * for outage tests.
 */
export class Mosquitto {
  readonly dir: string;
  private child: ChildProcess | undefined;
  private stderr = '';

  private constructor(
    readonly port: number,
    readonly tlsPort: number | undefined,
    private readonly configFile: string,
    dir: string,
  ) {
    this.dir = dir;
  }

  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-mosquitto-'));
    const port = await freePort();
    const tlsPort = options.tls ? await freePort() : undefined;
    const lines = [
      'per_listener_settings false',
      ...(options.persistence ? ['persistence true', `persistence_location ${dir}/`] : ['persistence false']),
      // Running as root in CI: do not drop to the `mosquitto` user, which cannot read the temp files.
      'user root',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'max_queued_messages 100000',
      ...(options.extra ?? []),
      `listener ${port} 127.0.0.1`,
    ];
    if (options.tls && tlsPort !== undefined) {
      lines.push(
        `listener ${tlsPort} 127.0.0.1`,
        `cafile ${options.tls.caFile}`,
        `certfile ${options.tls.certFile}`,
        `keyfile ${options.tls.keyFile}`,
        `require_certificate ${options.tls.requireCertificate}`,
      );
    }
    if (options.users) {
      const pwFile = join(dir, 'passwd');
      writeFileSync(pwFile, '');
      for (const [user, password] of Object.entries(options.users)) {
        execFileSync('mosquitto_passwd', ['-b', pwFile, user, password], { stdio: 'ignore' });
      }
      lines.push('allow_anonymous false', `password_file ${pwFile}`);
    } else {
      lines.push('allow_anonymous true');
    }
    if (options.acl !== undefined) {
      const aclFile = join(dir, 'acl');
      writeFileSync(aclFile, options.acl);
      lines.push(`acl_file ${aclFile}`);
    }
    const configFile = join(dir, 'mosquitto.conf');
    writeFileSync(configFile, lines.join('\n') + '\n');
    const broker = new Mosquitto(port, tlsPort, configFile, dir);
    await broker.start();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get tlsUrl(): string {
    if (this.tlsPort === undefined) throw new Error('no TLS listener');
    return `mqtts://127.0.0.1:${this.tlsPort}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts (or restarts) the broker and waits until it accepts TCP connections. */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(MOSQUITTO, ['-c', this.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    running.add(child);
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.once('exit', () => {
      running.delete(child);
      if (this.child === child) this.child = undefined;
    });
    try {
      await waitFor(async () => {
        if (this.child !== child) throw new Error(`mosquitto exited: ${this.stderr}`);
        return (await accepts(this.port)) && (this.tlsPort === undefined || (await accepts(this.tlsPort)));
      }, 5000, 20);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** Graceful stop (SIGTERM): clients see their connection closed. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Kill and remove the temp folder. For teardown. */
  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Replaces the ACL file (the broker must have been started with `acl`). Takes effect at the next
   * start(), or at once with reload(). Note: with an ACL file, Mosquitto 2.0 does not deliver the
   * messages it queued for a persistent subscriber while that one was offline after a restart;
   * prefer reload() when a platform-side subscriber must see what comes right after the change.
   */
  setAcl(acl: string): void {
    if (!readFileSync(this.configFile, 'utf8').includes('acl_file ')) throw new Error('broker started without an ACL file');
    writeFileSync(join(this.dir, 'acl'), acl);
  }

  /** SIGHUP: Mosquitto re-reads its ACL and password files; connected clients stay connected. */
  async reload(): Promise<void> {
    const child = this.child;
    if (!child) throw new Error('broker not running');
    child.kill('SIGHUP');
    // The signal is handled in the broker's main loop; give it a moment.
    await new Promise((r) => setTimeout(r, 300));
  }

  /** Last lines the broker wrote to stderr (for failure messages). */
  log(): string {
    return this.stderr;
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(sig);
    await exited;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
