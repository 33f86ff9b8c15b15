import type { GpioBackend } from '../bus/gpio/types.js';
import { lineRef } from '../bus/gpio/contact-inputs.js';
import type { GpioOutputConfig } from '../config/io-types.js';
import type { Timers } from '../devices/timers.js';
import type { Logger } from '../log/logger.js';
import { LocalOutput } from './output.js';

/**
 * All configured outputs. Start drives every line to its safe state as it is requested (a relay
 * left energized by a crash is released at once); stop cancels pulses and patterns and drives the
 * safe state again before releasing the lines.
 */
export class LocalOutputs {
  private readonly outputs = new Map<string, LocalOutput>();

  constructor(
    private readonly backend: GpioBackend,
    private readonly configs: readonly GpioOutputConfig[],
    private readonly logger: Logger,
    private readonly timers?: Timers,
  ) {}

  async start(): Promise<void> {
    for (const cfg of this.configs) {
      const line = await this.backend.output(lineRef(cfg), LocalOutput.level(cfg, cfg.safeState));
      this.outputs.set(cfg.name, new LocalOutput(cfg, line, this.logger, this.timers));
      this.logger.info({ output: cfg.name, safeState: cfg.safeState }, 'output ready in its safe state');
    }
  }

  async stop(): Promise<void> {
    for (const [name, out] of this.outputs) {
      try {
        await out.settle();
        await out.close();
      } catch (err) {
        this.logger.error({ output: name, err: (err as Error).message }, 'could not drive the safe state at stop');
      }
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
