import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';
import type { GpioOutputConfig } from '../config/io-types.js';
import { lineText, type Level, type LineHealth, type OutputLine, lineRef } from '../bus/gpio/types.js';
import { ignoreFaults, type FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import { ReconnectBackoff } from '../retry/backoff.js';

/**
 * One local output (siren, buzzer, relay) and what it is doing: steady on/off, a pulse, or a
 * repeating pattern. Several events may want the same output (two alarms, a fire alarm and an
 * e-bike at the elevator): each command is a demand held by its owner; the newest demand drives
 * the output, and when it ends (released by a restore, or its time is up) the newest remaining
 * demand takes over again, or the output returns to its safe state. So one alarm's restore never
 * silences a siren another alarm still needs. Everything is local: no network is involved.
 *
 * An output that cannot be driven (a write fails, or the line reports itself down) is a fault of
 * the gateway, raised once (`output:<name>`, critical for a sounder) and cleared by the next write
 * that reaches a healthy line. Meanwhile the demanded level is written again on a short backoff,
 * and at once when the line reports itself back, so a siren sounds as soon as its line works.
 *
 * An output may exist before its line does (pending: the line could not be requested yet, see
 * LocalOutputs). It takes demands all the same, so nothing the alarm desk asks for is lost; the
 * line is requested at the level those demands want, and attach() hands it over.
 */
export type OutputState = 'on' | 'off';

export interface OutputCommand {
  mode: 'on' | 'off' | 'pulse' | 'pattern';
  forMs?: number;
  pattern?: readonly number[];
  /** Who asked (rule + event); see release(). */
  owner: string;
}

export interface LocalOutputOptions {
  timers?: Timers;
  faults?: FaultReporter;
  /** Rewrites of the demanded level while faulted; default 500 ms doubling to 5 s, jittered. */
  retry?: { minMs: number; maxMs: number };
}

export class LocalOutput {
  private timers: TimerHandle[] = [];
  /** End timers of timed demands, by owner. */
  private readonly expiries = new Map<string, TimerHandle>();
  /** Demands in arrival order; the last one drives the output. */
  private readonly demands = new Map<string, OutputCommand>();
  private owner: string | undefined;
  private state: OutputState;
  private writes = 0;
  private failures = 0;
  private readonly clock: Timers;
  private readonly faults: FaultReporter;
  private readonly backoff: ReconnectBackoff;
  /** The output is not known to be at its demanded level: a fault is raised. */
  private faulted = false;
  /** The line reported itself down: writes may succeed without reaching it. */
  private lineDown = false;
  private retry: TimerHandle | undefined;
  private closed = false;

  constructor(
    readonly cfg: GpioOutputConfig,
    /** Undefined while pending: the line is not requested yet. */
    private line: OutputLine | undefined,
    private readonly logger: Logger,
    opts: LocalOutputOptions = {},
  ) {
    this.state = cfg.safeState;
    this.clock = opts.timers ?? systemTimers;
    this.faults = opts.faults ?? ignoreFaults;
    this.backoff = new ReconnectBackoff(opts.retry?.minMs ?? 500, opts.retry?.maxMs ?? 5000);
  }

  /** The fault key of this output, for the gateway's fault list. */
  get faultKey(): string {
    return `output:${this.cfg.name}`;
  }

  /** Whether the line is not requested yet: demands are recorded and driven once attach() runs. */
  get pending(): boolean {
    return this.line === undefined;
  }

  /** The physical level the demands want now (what a pending line is requested with). */
  get demandedLevel(): Level {
    return LocalOutput.level(this.cfg, this.state);
  }

  /** The line could not be requested: a fault of this output until attach() (LocalOutputs retries). */
  unavailable(message: string): void {
    this.fault(message);
  }

  /**
   * The line is requested and already driven to `initial`. If the demands changed while it was
   * being requested, the level they want now is written; otherwise the output is at its demanded
   * level and a fault raised while it was pending is cleared.
   */
  attach(line: OutputLine, initial: Level): void {
    this.line = line;
    if (this.demandedLevel !== initial) this.write();
    else if (!this.lineDown) this.recovered();
  }

  /** The line's health, from the backend (LocalOutputs passes it on). */
  lineHealth(health: LineHealth): void {
    if (this.closed) return;
    if (!health.ok) {
      this.lineDown = true;
      this.fault(health.message);
      return;
    }
    this.lineDown = false;
    // Back: drive the demanded level now rather than at the next retry.
    this.write();
  }

  /** Physical level for a logical state. */
  static level(cfg: Pick<GpioOutputConfig, 'activeLevel'>, state: OutputState): Level {
    const on: Level = cfg.activeLevel === 'low' ? 0 : 1;
    return state === 'on' ? on : on === 1 ? 0 : 1;
  }

  get current(): OutputState {
    return this.state;
  }

  get busyWith(): string | undefined {
    return this.owner;
  }

  stats() {
    return { name: this.cfg.name, state: this.state, owner: this.owner, writes: this.writes, failures: this.failures, faulted: this.faulted, pending: this.pending };
  }

  /** Adds (or replaces) `cmd.owner`'s demand and drives the output with it. */
  run(cmd: OutputCommand): void {
    this.demands.delete(cmd.owner);
    this.demands.set(cmd.owner, cmd);
    const old = this.expiries.get(cmd.owner);
    if (old !== undefined) this.clock.clearTimeout(old);
    this.expiries.delete(cmd.owner);
    const lasts = cmd.mode === 'pulse' ? (cmd.forMs ?? 1000) : cmd.forMs;
    if (lasts !== undefined) this.expiries.set(cmd.owner, this.clock.setTimeout(() => this.release(cmd.owner), lasts));
    this.apply(cmd);
  }

  /** Ends `owner`'s demand; the newest remaining one takes over, else the safe state. */
  release(owner: string): void {
    if (!this.demands.delete(owner)) return;
    const t = this.expiries.get(owner);
    if (t !== undefined) this.clock.clearTimeout(t);
    this.expiries.delete(owner);
    if (this.owner !== owner) return;
    const next = [...this.demands.values()].pop();
    if (next) this.apply(next);
    else this.toSafe();
  }

  /** Drops every demand and drives the safe state. */
  safe(): void {
    for (const t of this.expiries.values()) this.clock.clearTimeout(t);
    this.expiries.clear();
    this.demands.clear();
    this.toSafe();
  }

  private apply(cmd: OutputCommand): void {
    this.cancel();
    this.owner = cmd.owner;
    if (cmd.mode === 'pattern') this.pattern(cmd.pattern ?? [500, 500], 0);
    else this.set(cmd.mode === 'off' ? 'off' : 'on');
  }

  private toSafe(): void {
    this.cancel();
    this.owner = undefined;
    this.set(this.cfg.safeState);
  }

  /** Awaitable safe state for start and stop: the write has reached the line when this resolves. */
  async settle(): Promise<void> {
    this.stopRetry();
    for (const t of this.expiries.values()) this.clock.clearTimeout(t);
    this.expiries.clear();
    this.demands.clear();
    this.cancel();
    this.owner = undefined;
    this.state = this.cfg.safeState;
    await this.line?.write(LocalOutput.level(this.cfg, this.state));
  }

  /** Releases the line (after settle()); a pending output only ends its timers. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopRetry();
    for (const t of this.expiries.values()) this.clock.clearTimeout(t);
    this.expiries.clear();
    this.demands.clear();
    this.cancel();
    await this.line?.close();
  }

  private pattern(steps: readonly number[], i: number): void {
    this.set(i % 2 === 0 ? 'on' : 'off');
    const ms = steps[i % steps.length]!;
    // Keep the index bounded; with an even number of steps on/off stay aligned with the durations.
    this.after(ms, () => this.pattern(steps, (i + 1) % (steps.length * 2)));
  }

  private set(state: OutputState): void {
    this.state = state;
    this.write();
  }

  /** Writes the level of the current state; the outcome raises or clears the fault. */
  private write(): void {
    // Pending: the state is recorded, and the line is requested at it (attach()).
    if (this.line === undefined) return;
    this.writes += 1;
    this.line.write(LocalOutput.level(this.cfg, this.state)).then(
      () => {
        if (!this.lineDown) this.recovered();
      },
      (err: unknown) => {
        this.failures += 1;
        this.fault((err as Error).message);
      },
    );
  }

  private fault(message: string): void {
    if (this.closed) return;
    if (!this.faulted) {
      this.faulted = true;
      const text = `output ${this.cfg.name} (${lineText(lineRef(this.cfg))}) cannot be driven: ${message}`;
      this.logger.error({ output: this.cfg.name, demanded: this.state }, text);
      this.faults.raise(this.faultKey, text, { severity: this.cfg.sounder ? 'critical' : 'major', point: this.faultKey });
    }
    this.scheduleRetry();
  }

  private recovered(): void {
    if (!this.faulted || this.closed) return;
    this.faulted = false;
    this.stopRetry();
    this.backoff.reset();
    this.logger.info({ output: this.cfg.name, state: this.state }, 'output driven again');
    this.faults.clear(this.faultKey, `output ${this.cfg.name} driven again (${this.state})`);
  }

  private scheduleRetry(): void {
    // A pending output has nothing to rewrite: its line is requested again by LocalOutputs.
    if (this.retry !== undefined || this.closed || this.line === undefined) return;
    this.retry = this.clock.setTimeout(() => {
      this.retry = undefined;
      if (this.faulted && !this.closed) this.write();
    }, this.backoff.next());
  }

  private stopRetry(): void {
    if (this.retry !== undefined) this.clock.clearTimeout(this.retry);
    this.retry = undefined;
  }

  private after(ms: number, fn: () => void): void {
    const handle = this.clock.setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== handle);
      fn();
    }, ms);
    this.timers.push(handle);
  }

  private cancel(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers = [];
  }
}
