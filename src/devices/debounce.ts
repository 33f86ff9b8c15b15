import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';
import type { Level } from '../bus/gpio/types.js';

/**
 * Contact bounce and interference filter: a new level is accepted only after it has been steady
 * for `ms`. Every edge restarts the window, so a burst of edges inside the window yields one
 * change (or none, if the line ends where it started).
 */
export class Debouncer {
  private stable: Level | undefined;
  private latest: Level | undefined;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly ms: number,
    private readonly onStable: (level: Level) => void,
    private readonly timers: Timers = systemTimers,
  ) {}

  /** The level at start: accepted at once, it is the state the gateway begins from. */
  initial(level: Level): void {
    this.stable = level;
    this.latest = level;
  }

  edge(level: Level): void {
    this.latest = level;
    if (this.ms <= 0) return this.settle();
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.settle(), this.ms);
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private settle(): void {
    this.timer = undefined;
    if (this.latest === undefined || this.latest === this.stable) return;
    this.stable = this.latest;
    this.onStable(this.latest);
  }
}
