import { GatewayOutputs, type OutputTester } from '../../src/outputs/gateway-outputs.js';
import type { LocalOutputs } from '../../src/outputs/outputs.js';
import { GpioAccess } from '../../src/bus/gpio/gpio-access.js';
import type { GpioBackendOptions } from '../../src/bus/gpio/create.js';
import type { GpioBackend } from '../../src/bus/gpio/types.js';
import type { Clock } from '../../src/clock/clock.js';
import type { HearthConfig } from '../../src/config/types.js';
import type { ReadingSink } from '../../src/model/sinks.js';
import type { Timers } from '../../src/clock/timers.js';
import type { FaultReporter } from '../../src/faults/gateway-faults.js';
import type { Logger } from '../../src/log/logger.js';
import type { SequenceSource } from '../../src/model/sequence.js';
import type { RulesEngine } from '../../src/rules/engine.js';
import type { EventSink } from '../../src/model/sinks.js';
import { ContactSource } from '../../drivers/gpio-contact/source.js';

/** What the contacts need from a pipeline (the daemon's SourceContext, without the config and GPIO). */
export interface PipelineParts {
  gatewayId: string;
  clock: Clock;
  seq: SequenceSource;
  rules: RulesEngine;
  sink: ReadingSink & EventSink;
  onError?: (error: unknown, deviceId: string) => void;
}

export interface GatewayIoOptions {
  config: HearthConfig;
  logger: Logger;
  faults: FaultReporter;
  gpioBackend?: GpioBackend;
  backendOptions?: Partial<GpioBackendOptions>;
  timers?: Timers;
  retry?: { minMs: number; maxMs: number };
}

/**
 * The gateway's own I/O as the daemon assembles it (GPIO access, outputs, the contact source),
 * driven step by step for tests of start, retry and stop in the daemon's order.
 */
export class GatewayIo {
  readonly access: GpioAccess;
  readonly outputs: GatewayOutputs;
  private contacts: ContactSource | undefined;

  constructor(private readonly o: GatewayIoOptions) {
    this.access = new GpioAccess({
      config: o.config.gpio,
      logger: o.logger,
      faults: o.faults,
      ...(o.gpioBackend ? { backend: o.gpioBackend } : {}),
      ...(o.backendOptions ? { backendOptions: o.backendOptions } : {}),
      ...(o.timers ? { timers: o.timers } : {}),
      ...(o.retry ? { retry: o.retry } : {}),
    });
    this.outputs = new GatewayOutputs({ configs: o.config.gpio?.outputs ?? [], gpio: this.access, faults: o.faults, logger: o.logger, ...(o.timers ? { timers: o.timers } : {}), ...(o.retry ? { retry: o.retry } : {}) });
  }

  async startOutputs(): Promise<void> {
    await this.access.start();
    await this.outputs.start();
  }

  async startInputs(p: PipelineParts): Promise<void> {
    this.contacts = new ContactSource({ ...p, config: this.o.config, faults: this.o.faults, logger: this.o.logger, gpio: this.access });
    await this.contacts.start();
  }

  async stopInputs(): Promise<void> {
    await this.contacts?.stop();
  }

  async stopOutputs(): Promise<void> {
    await this.outputs.stop();
    await this.access.stop();
  }

  outputRegistry(): LocalOutputs {
    return this.outputs.registry;
  }

  outputsPort(): OutputTester {
    return this.outputs.tester();
  }

  gpio(): GpioBackend | undefined {
    return this.access.backend();
  }
}
