import type { GpioBackend, LineHealth } from '../bus/gpio/types.js';
import { lineRef } from '../bus/gpio/contact-inputs.js';
import type { GpioOutputConfig } from '../config/io-types.js';
import type { Timers } from '../devices/timers.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import { LocalOutput } from './output.js';

/**
 * All configured outputs. Start drives every line to its safe state as it is requested (a relay
 * left energized by a crash is released at once); stop cancels pulses and patterns and drives the
 * safe state again before releasing the lines. An output that cannot be driven is a fault through
 * `faults` (see LocalOutput).
 */
export interface LocalOutputsOptions {
  faults: FaultReporter;
  timers?: Timers;
  /** Rewrites of a faulted output's level; default 500 ms doubling to 5 s. */
  retry?: { minMs: number; maxMs: number };
}

export class LocalOutputs {
  private readonly outputs = new Map<string, LocalOutput>();

  constructor(
    private readonly backend: GpioBackend,
    private readonly configs: readonly GpioOutputConfig[],
    private readonly logger: Logger,
    private readonly opts: LocalOutputsOptions,
  ) {}

  async start(): Promise<void> {
    for (const cfg of this.configs) {
      // The line may report its health before the output object exists: hand it on afterwards.
      let output: LocalOutput | undefined;
      let early: LineHealth | undefined;
      const onHealth = (h: LineHealth) => (output ? output.lineHealth(h) : (early = h));
      const line = await this.backend.output(lineRef(cfg), LocalOutput.level(cfg, cfg.safeState), { onHealth });
      output = new LocalOutput(cfg, line, this.logger, this.opts);
      this.outputs.set(cfg.name, output);
      if (early) output.lineHealth(early);
      this.logger.info({ output: cfg.name, safeState: cfg.safeState }, 'output ready in its safe state');
    }
  }

  async stop(): Promise<void> {
    for (const [name, out] of this.outputs) {
      try {
        await out.settle();
      } catch (err) {
        this.logger.error({ output: name, err: (err as Error).message }, 'could not drive the safe state at stop');
      }
      // Released even when the safe state could not be written: nothing may keep retrying after stop.
      await out.close().catch((err: unknown) => this.logger.error({ output: name, err: (err as Error).message }, 'could not release the output'));
    }
    this.outputs.clear();
  }

  get(name: string): LocalOutput | undefined {
    return this.outputs.get(name);
  }

  all(): LocalOutput[] {
    return [...this.outputs.values()];
  }
}
