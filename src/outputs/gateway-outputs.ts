import type { GpioOutputConfig } from '../config/io-types.js';
import type { GpioAccess } from '../bus/gpio/gpio-access.js';
import type { Timers } from '../clock/timers.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import { LocalOutputs } from './outputs.js';

/** An output as the console and remote commands list and test it. */
export interface OutputInfo {
  id: string;
  name?: string;
  kind: string;
}

export interface OutputTestResult {
  output: string;
  durationMs: number;
  ok: boolean;
}

/** What the console and remote commands may do with outputs: list them and pulse one. */
export interface OutputTester {
  list(): OutputInfo[];
  test(id: string, durationMs: number): Promise<OutputTestResult>;
}

export interface GatewayOutputsOptions {
  configs: readonly GpioOutputConfig[];
  gpio: GpioAccess;
  faults: FaultReporter;
  logger: Logger;
  timers?: Timers;
  /** Requesting a line again; default 1 s doubling to 30 s, jittered. */
  retry?: { minMs: number; maxMs: number };
}

/**
 * The gateway's sirens, buzzers and relays as a daemon component. The registry exists from
 * construction with every configured output, so the alarm desk's demands are kept even while a
 * line (or all of GPIO) is not usable yet; the lines are requested once the GPIO backend is open,
 * each driven to its safe state, or at once to what the demands held meanwhile want.
 */
export class GatewayOutputs {
  readonly registry: LocalOutputs;

  constructor(private readonly o: GatewayOutputsOptions) {
    this.registry = new LocalOutputs(undefined, o.configs, o.logger.child({ component: 'outputs' }), {
      faults: o.faults,
      ...(o.timers ? { timers: o.timers } : {}),
      ...(o.retry ? { requestRetry: o.retry } : {}),
    });
  }

  get configured(): boolean {
    return this.o.configs.length > 0;
  }

  start(): Promise<void> {
    return this.o.gpio.onReady((backend) => this.registry.start(backend));
  }

  stop(): Promise<void> {
    return this.registry.stop();
  }

  /**
   * The outputs as the installer's console tests them: a pulse held by its own owner, so a test
   * during a real alarm ends without silencing the alarm's demand (see LocalOutput).
   */
  tester(): OutputTester {
    const outputs = this.registry;
    return {
      list: () => outputs.all().map((o) => ({ id: o.cfg.name, kind: 'gpio', ...(o.cfg.description ? { name: o.cfg.description } : {}) })),
      test: async (id, durationMs) => {
        const output = outputs.get(id);
        // A pending output (its line not requested yet) cannot show anything to the installer.
        if (output === undefined || output.pending) return { output: id, durationMs, ok: false };
        output.run({ mode: 'pulse', forMs: durationMs, owner: 'console-test' });
        return { output: id, durationMs, ok: true };
      },
    };
  }
}
