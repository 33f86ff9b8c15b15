/**
 * Event-loop lag, measured the plain way: a timer asks to run every `probeMs`; how late it runs is
 * how long the loop was busy with something else (a synchronous fsync, a runaway loop, GC).
 * The worst lag since the last take() is what the watchdog judges. A fully blocked loop needs no
 * measurement (no timer, hence no WATCHDOG=1, runs at all); this catches the loop that is blocked
 * most of the time but still gets a turn now and then.
 */
export class LoopLagProbe {
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;
  private worst = 0;

  constructor(private readonly probeMs = 250) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.expected = performance.now() + this.probeMs;
    this.timer = setInterval(() => this.sample(), this.probeMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Worst lag (ms) seen since the previous call, including a probe that is overdue right now. */
  take(): number {
    const overdue = Math.max(0, performance.now() - this.expected);
    const worst = Math.max(this.worst, overdue);
    this.worst = 0;
    return worst;
  }

  private sample(): void {
    const now = performance.now();
    this.worst = Math.max(this.worst, now - this.expected);
    this.expected = now + this.probeMs;
  }
}
