import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../../log/logger.js';
import { ReconnectBackoff } from '../../retry/backoff.js';
import { lineText, type LineHealth, type LineRef } from './types.js';

/**
 * One long-running libgpiod tool (`gpiomon` watching an input, `gpioset` holding an output) kept
 * alive: an exit nobody asked for, or a failure to start, reports the line down and starts the tool
 * again after a jittered exponential backoff. Before each restart `respawnArgs` runs (re-read an
 * input, pick the level an output must hold); if it throws, the line stays down and the next try
 * waits longer. The line is reported up again once the new process has lived `settleMs`: a tool
 * that cannot request its line (busy, gone) exits within milliseconds. The backoff only resets
 * after the line has been up for `stableMs`, so a tool that dies every few seconds is restarted
 * ever more slowly, never in a storm.
 */

export interface RestartPolicy {
  /** First retry after [minMs, 2 × minMs]; default 500. */
  minMs: number;
  /** Cap of the backoff; default 30 000. */
  maxMs: number;
  /** A restarted tool counts as working after this long alive; default 250. */
  settleMs: number;
  /** The backoff resets after the line has been up this long; default 30 000. */
  stableMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { minMs: 500, maxMs: 30_000, settleMs: 250, stableMs: 30_000 };

export interface SupervisedToolOptions {
  tool: 'gpiomon' | 'gpioset';
  line: LineRef;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  policy: RestartPolicy;
  /** Arguments for a restart; may throw to stay down until the next try. */
  respawnArgs: () => Promise<string[]>;
  /** Each line the tool prints on stdout. */
  onLine?: (text: string) => void;
  onHealth?: (health: LineHealth) => void;
}

export type ToolState = 'up' | 'starting' | 'down' | 'closed';

export class SupervisedTool {
  private child: ChildProcess | undefined;
  private readonly dying = new Set<ChildProcess>();
  private readonly backoff: ReconnectBackoff;
  private status: ToolState = 'up';
  /** Health as last told to the listener: changes only are reported. */
  private reportedOk = true;
  private retry: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private stable: NodeJS.Timeout | undefined;

  constructor(private readonly o: SupervisedToolOptions) {
    this.backoff = new ReconnectBackoff(o.policy.minMs, o.policy.maxMs);
  }

  get state(): ToolState {
    return this.status;
  }

  /** Starts the tool now (the line was just requested and checked: it counts as up). */
  start(args: string[]): void {
    this.status = 'up';
    this.launch(args);
    this.watchStable();
  }

  /** Replaces the running process by one with new arguments (gpioset: a new level). */
  async replace(args: string[]): Promise<void> {
    const old = this.child;
    this.child = undefined;
    if (old) await this.kill(old);
    if (this.status === 'closed') return;
    this.launch(args);
  }

  /** Stops the tool and every restart. */
  async close(): Promise<void> {
    this.status = 'closed';
    this.clearTimers();
    const c = this.child;
    this.child = undefined;
    await Promise.all([...(c ? [c] : []), ...this.dying].map((p) => this.kill(p)));
  }

  private launch(args: string[]): void {
    const { tool, line, env } = this.o;
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    let ended = false;
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    if (this.o.onLine) createInterface({ input: child.stdout! }).on('line', this.o.onLine);
    else child.stdout?.resume();
    const end = (why: { code: 'GPIO_TOOL_FAILED' | 'GPIO_UNAVAILABLE'; message: string }) => {
      if (ended) return;
      ended = true;
      this.dying.delete(child);
      if (this.child !== child) return; // replaced or closed: an exit we asked for
      this.child = undefined;
      this.o.logger.error({ tool, line: lineText(line), stderr: stderr.trim() || undefined }, why.message);
      this.down(why);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Only a failed spawn ends the process; a failed kill() of a running one is no exit.
      if (child.pid !== undefined) return this.o.logger.warn({ tool, line: lineText(line), err: err.message }, 'GPIO tool error');
      const missing = err.code === 'ENOENT';
      end({ code: missing ? 'GPIO_UNAVAILABLE' : 'GPIO_TOOL_FAILED', message: `${tool} for ${lineText(line)} failed to start: ${missing ? `${tool} not found (apt install gpiod)` : err.message}` });
    });
    // 'close' (not 'exit'): every line the tool printed has been read by then, so the edges it
    // reported come before the re-read that follows the restart.
    child.once('close', (code, signal) => {
      const how = signal !== null ? `signal ${signal}` : `code ${code}`;
      const detail = stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : '';
      end({ code: 'GPIO_TOOL_FAILED', message: `${tool} for ${lineText(line)} exited (${how})${detail}` });
    });
  }

  /** The line is up: after `stableMs` more without a failure, the next failure starts the backoff afresh. */
  private watchStable(): void {
    if (this.stable) clearTimeout(this.stable);
    this.stable = setTimeout(() => {
      this.stable = undefined;
      if (this.status === 'up') this.backoff.reset();
    }, this.o.policy.stableMs);
  }

  private down(why: { code: 'GPIO_TOOL_FAILED' | 'GPIO_UNAVAILABLE'; message: string }): void {
    if (this.status === 'closed') return;
    this.status = 'down';
    if (this.settle) clearTimeout(this.settle);
    if (this.stable) clearTimeout(this.stable);
    this.settle = this.stable = undefined;
    this.report({ ok: false, code: why.code, message: why.message });
    this.schedule();
  }

  private schedule(): void {
    if (this.status === 'closed' || this.retry) return;
    const ms = this.backoff.next();
    this.o.logger.warn({ tool: this.o.tool, line: lineText(this.o.line), retryMs: ms }, 'restarting GPIO tool');
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.restart().catch((err: unknown) => this.o.logger.error({ err }, 'GPIO tool restart failed'));
    }, ms);
  }

  private async restart(): Promise<void> {
    if (this.status !== 'down') return;
    let args: string[];
    try {
      args = await this.o.respawnArgs();
    } catch (err) {
      if (this.status !== 'down') return;
      this.o.logger.warn({ tool: this.o.tool, line: lineText(this.o.line), err: (err as Error).message }, 'GPIO line still unusable');
      this.schedule();
      return;
    }
    if (this.status !== 'down') return;
    this.status = 'starting';
    this.launch(args);
    const child = this.child;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      if (this.child !== child || this.status !== 'starting') return;
      this.status = 'up';
      this.o.logger.info({ tool: this.o.tool, line: lineText(this.o.line) }, 'GPIO tool running again');
      this.watchStable();
      this.report({ ok: true });
    }, this.o.policy.settleMs);
  }

  private report(health: LineHealth): void {
    if (health.ok === this.reportedOk) return;
    this.reportedOk = health.ok;
    try {
      this.o.onHealth?.(health);
    } catch (err) {
      this.o.logger.error({ err }, 'GPIO line health listener failed');
    }
  }

  private clearTimers(): void {
    for (const t of [this.retry, this.settle, this.stable]) if (t) clearTimeout(t);
    this.retry = this.settle = this.stable = undefined;
  }

  private async kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    this.dying.add(child);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
    this.dying.delete(child);
  }
}
