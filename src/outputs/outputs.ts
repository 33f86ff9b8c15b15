import type { GpioBackend, OutputLine } from '../bus/gpio/types.js';
import { lineRef } from '../bus/gpio/types.js';
import { GpioError } from '../bus/gpio/types.js';
import type { GpioOutputConfig } from '../config/io-types.js';
import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import type { OutputRegistry } from './driven-outputs.js';
import { ReconnectBackoff } from '../retry/backoff.js';
import { LocalOutput } from './output.js';

/**
 * All configured outputs, the registry the alarm desk drives. Every configured output is in it
 * from construction, whether its line is requested yet or not (a pending LocalOutput records its
 * demands), so a demand made while a line is unusable is not lost: the line is requested at the
 * level the demands want, a siren for a fire alarm still active sounds the moment its line works.
 *
 * start() requests every line: at its safe state when nothing demands it (a relay left energized
 * by a crash is released at once), else at the demanded level. A line that cannot be requested
 * (busy, unknown name, no permission) is a fault of that output only (`output:<name>`, see
 * LocalOutput) and is requested again on a jittered backoff until it works; the other outputs work
 * meanwhile. Stop ends those retries, drives the safe state again and releases the lines.
 */
export interface LocalOutputsOptions {
  faults: FaultReporter;
  timers?: Timers;
  /** Rewrites of a faulted output's level; default 500 ms doubling to 5 s. */
  retry?: { minMs: number; maxMs: number };
  /** Requests again of a line that could not be requested; default 1 s doubling to 30 s. */
  requestRetry?: { minMs: number; maxMs: number };
}

interface Slot {
  output: LocalOutput;
  backoff: ReconnectBackoff;
  retry?: TimerHandle;
  /** A request under way (stop waits for it, so no line is left requested after stop). */
  requesting?: Promise<void>;
}

export class LocalOutputs implements OutputRegistry {
  private readonly slots = new Map<string, Slot>();
  private readonly timers: Timers;
  private stopped = false;

  /** `backend` may be given later, to start(): the outputs take demands before it exists. */
  constructor(
    private backend: GpioBackend | undefined,
    private readonly configs: readonly GpioOutputConfig[],
    private readonly logger: Logger,
    private readonly opts: LocalOutputsOptions,
  ) {
    this.timers = opts.timers ?? systemTimers;
    this.build();
  }

  /**
   * Requests every output's line on `backend` (default: the constructor's). Resolves when each
   * line was requested or failed once; failures are faults and retries, never thrown.
   */
  async start(backend: GpioBackend | undefined = this.backend): Promise<void> {
    if (backend === undefined) throw new GpioError('GPIO_UNAVAILABLE', 'outputs started without a GPIO backend');
    this.backend = backend;
    if (this.stopped) this.build();
    this.stopped = false;
    for (const slot of this.slots.values()) await this.request(slot);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) {
      if (slot.retry !== undefined) this.timers.clearTimeout(slot.retry);
      delete slot.retry;
    }
    // A request that resolves now sees `stopped` and releases its line at once.
    await Promise.all([...this.slots.values()].map((s) => s.requesting));
    for (const [name, { output }] of this.slots) {
      try {
        await output.settle();
      } catch (err) {
        this.logger.error({ output: name, err: (err as Error).message }, 'could not drive the safe state at stop');
      }
      // Released even when the safe state could not be written: nothing may keep retrying after stop.
      await output.close().catch((err: unknown) => this.logger.error({ output: name, err: (err as Error).message }, 'could not release the output'));
    }
    this.slots.clear();
  }

  get(name: string): LocalOutput | undefined {
    return this.slots.get(name)?.output;
  }

  all(): LocalOutput[] {
    return [...this.slots.values()].map((s) => s.output);
  }

  private build(): void {
    const { minMs = 1000, maxMs = 30_000 } = this.opts.requestRetry ?? {};
    for (const cfg of this.configs) {
      this.slots.set(cfg.name, { output: new LocalOutput(cfg, undefined, this.logger, this.opts), backoff: new ReconnectBackoff(minMs, maxMs) });
    }
  }

  private request(slot: Slot): Promise<void> {
    if (slot.requesting) return slot.requesting;
    const run = this.tryRequest(slot)
      .catch((err: unknown) => this.logger.error({ output: slot.output.cfg.name, err: (err as Error).message }, 'output request failed unexpectedly'))
      .finally(() => {
        if (slot.requesting === run) delete slot.requesting;
      });
    slot.requesting = run;
    return run;
  }

  private async tryRequest(slot: Slot): Promise<void> {
    const { output } = slot;
    const backend = this.backend;
    if (this.stopped || backend === undefined || !output.pending) return;
    const initial = output.demandedLevel;
    let line: OutputLine;
    try {
      line = await backend.output(lineRef(output.cfg), initial, { onHealth: (h) => output.lineHealth(h) });
    } catch (err) {
      if (this.stopped) return;
      const code = (err as { code?: string }).code;
      // Logged as an error once, with the fault; each retry only at debug level.
      this.logger.debug({ output: output.cfg.name, code }, 'output line not requested');
      output.unavailable(requestFailure(err, code));
      this.retryLater(slot);
      return;
    }
    if (this.stopped) {
      await line.close();
      return;
    }
    output.attach(line, initial);
    slot.backoff.reset();
    this.logger.info({ output: output.cfg.name, state: output.current, safeState: output.cfg.safeState }, output.busyWith === undefined ? 'output ready in its safe state' : 'output ready, driven as demanded');
  }

  private retryLater(slot: Slot): void {
    if (slot.retry !== undefined || this.stopped) return;
    slot.retry = this.timers.setTimeout(() => {
      delete slot.retry;
      if (!this.stopped) void this.request(slot);
    }, slot.backoff.next());
  }
}

/** Why a line was not requested, and what to do about it (branching on the code, not the text). */
function requestFailure(err: unknown, code: string | undefined): string {
  const why = `line not requested: ${(err as Error).message}`;
  const fix =
    code === 'GPIO_BUSY'
      ? 'another program or driver holds it (gpioinfo shows which): free it or move the output to a free line in gpio.outputs'
      : code === 'GPIO_LINE_UNKNOWN'
        ? 'check the line name with gpioinfo and correct it in gpio.outputs'
        : undefined;
  // The other codes' messages already carry their fix (group membership, gpio.chip, BCM numbers).
  return `${why}${fix ? `; ${fix}` : ''}; requested again until it works`;
}
