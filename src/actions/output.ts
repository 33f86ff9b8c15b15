import { systemTimers, type TimerHandle, type Timers } from '../devices/timers.js';
import type { GpioOutputConfig } from '../config/io-types.js';
import type { Level, OutputLine } from '../bus/gpio/types.js';
import type { Logger } from '../log/logger.js';

/**
 * One local output (siren, buzzer, relay) and what it is doing: steady on/off, a pulse, or a
 * repeating pattern. Several events may want the same output (two alarms, a fire alarm and an
 * e-bike at the elevator): each command is a demand held by its owner; the newest demand drives
 * the output, and when it ends (released by a restore, or its time is up) the newest remaining
 * demand takes over again, or the output returns to its safe state. So one alarm's restore never
 * silences a siren another alarm still needs. Everything is local: no network is involved.
 */
export type OutputState = 'on' | 'off';

export interface OutputCommand {
  mode: 'on' | 'off' | 'pulse' | 'pattern';
  forMs?: number;
  pattern?: readonly number[];
  /** Who asked (rule + event); see release(). */
  owner: string;
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

  constructor(
    readonly cfg: GpioOutputConfig,
    private readonly line: OutputLine,
    private readonly logger: Logger,
    private readonly clock: Timers = systemTimers,
  ) {
    this.state = cfg.safeState;
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
    return { name: this.cfg.name, state: this.state, owner: this.owner, writes: this.writes, failures: this.failures };
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
    for (const t of this.expiries.values()) this.clock.clearTimeout(t);
    this.expiries.clear();
    this.demands.clear();
    this.cancel();
    this.owner = undefined;
    this.state = this.cfg.safeState;
    await this.line.write(LocalOutput.level(this.cfg, this.state));
  }

  /** Releases the line (after settle()). */
  close(): Promise<void> {
    for (const t of this.expiries.values()) this.clock.clearTimeout(t);
    this.expiries.clear();
    this.demands.clear();
    this.cancel();
    return this.line.close();
  }

  private pattern(steps: readonly number[], i: number): void {
    this.set(i % 2 === 0 ? 'on' : 'off');
    const ms = steps[i % steps.length]!;
    // Keep the index bounded; with an even number of steps on/off stay aligned with the durations.
    this.after(ms, () => this.pattern(steps, (i + 1) % (steps.length * 2)));
  }

  private set(state: OutputState): void {
    this.state = state;
    this.writes += 1;
    this.line.write(LocalOutput.level(this.cfg, state)).catch((err: unknown) => {
      this.failures += 1;
      this.logger.error({ output: this.cfg.name, err: (err as Error).message }, 'output write failed');
    });
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
