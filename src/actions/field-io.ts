import type { OutputsPort } from '../api/daemon-port.js';
import { createGpioBackend, type GpioBackendOptions } from '../bus/gpio/create.js';
import { ContactInputs, type ContactSnapshot } from '../bus/gpio/contact-inputs.js';
import { SimGpioBackend } from '../bus/gpio/sim-backend.js';
import type { GpioBackend } from '../bus/gpio/types.js';
import type { Clock } from '../clock/clock.js';
import type { HearthConfig } from '../config/types.js';
import type { ReadingSink } from '../devices/runtime.js';
import type { Logger } from '../log/logger.js';
import type { SequenceSource } from '../model/sequence.js';
import type { EventSink, RulesEngine } from '../rules/engine.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import { ContactSimulator } from '../sim/contact-scenario.js';
import { TagReaderSim } from '../sim/tag-reader-sim.js';
import { TagLists } from '../tags/access.js';
import { TagReaderRuntime, type TagReaderSnapshot } from '../tags/reader-runtime.js';
import { LocalOutputs } from './outputs.js';

/**
 * The gateway's own I/O, as two daemon components. `startOutputs` (before buses and devices):
 * opens the GPIO backend and drives every output to its safe state (the alarm desk drives them from
 * then on, src/alarms/). `startInputs` (just before devices): dry contacts and tag readers start
 * feeding the pipeline. Stop is the reverse; outputs are driven to their safe state last.
 */

/** What inputs need from the pipeline: the same rules, sink and sequence the polled devices use. */
export interface PipelineParts {
  gatewayId: string;
  clock: Clock;
  seq: SequenceSource;
  rules: RulesEngine;
  sink: ReadingSink & EventSink;
  onError: (error: unknown, deviceId: string) => void;
}

export interface FieldIoOptions {
  config: HearthConfig;
  logger: Logger;
  /** Tests and benchmarks inject a backend (e.g. a SimGpioBackend they control). */
  gpioBackend?: GpioBackend;
  backendOptions?: Partial<GpioBackendOptions>;
  /** The gateway's fault reporter: dead lines, undrivable outputs, tag readers without a source. */
  faults: FaultReporter;
}

export class FieldIo {
  private backend: GpioBackend | undefined;
  private outputs: LocalOutputs | undefined;
  private contacts: ContactInputs | undefined;
  private readers: TagReaderRuntime[] = [];
  private sims: { stop(): unknown }[] = [];

  constructor(private readonly o: FieldIoOptions) {}

  /** Whether the config has anything for this component to do. */
  get configured(): boolean {
    const c = this.o.config;
    return (c.gpio?.inputs.length ?? 0) + (c.gpio?.outputs.length ?? 0) + (c.tags?.readers.length ?? 0) > 0;
  }

  gpio(): GpioBackend | undefined {
    return this.backend;
  }

  async startOutputs(pipeline: PipelineParts): Promise<void> {
    const { config, logger } = this.o;
    const gpio = config.gpio;
    if (gpio && gpio.inputs.length + gpio.outputs.length > 0) {
      try {
        this.backend =
          this.o.gpioBackend ??
          (await createGpioBackend({ backend: gpio.backend, logger: logger.child({ component: 'gpio' }), ...(gpio.chip ? { chipLabel: gpio.chip } : {}), ...this.o.backendOptions }));
        logger.info({ backend: this.backend.kind }, 'GPIO backend ready');
        this.outputs = new LocalOutputs(this.backend, gpio.outputs, logger.child({ component: 'outputs' }), { faults: this.o.faults });
        await this.outputs.start();
      } catch (err) {
        // No GPIO must not take the Modbus detectors and the uplink down with it: the gateway runs
        // on, and a fault event tells the platform that contacts and sirens are not working.
        await this.outputs?.stop().catch(() => {});
        await this.backend?.close().catch(() => {});
        delete this.outputs;
        delete this.backend;
        const message = `GPIO unavailable, contacts and outputs are not working: ${(err as Error).message}`;
        logger.error({ code: (err as { code?: string }).code }, message);
        this.o.faults.raise('gpio', message, { point: 'gpio' });
      }
    }
  }

  /**
   * The outputs as the installer's console tests them: a pulse held by its own owner, so a test
   * during a real alarm ends without silencing the alarm's demand (see LocalOutput).
   */
  outputsPort(): OutputsPort {
    return {
      list: () => (this.outputs?.all() ?? []).map((o) => ({ id: o.cfg.name, kind: 'gpio', ...(o.cfg.description ? { name: o.cfg.description } : {}) })),
      test: async (id, durationMs) => {
        const output = this.outputs?.get(id);
        if (output === undefined) return { output: id, durationMs, ok: false };
        output.run({ mode: 'pulse', forMs: durationMs, owner: 'console-test' });
        return { output: id, durationMs, ok: true };
      },
    };
  }

  /** The outputs the alarm desk drives; undefined until started, or when GPIO is unavailable. */
  outputRegistry(): LocalOutputs | undefined {
    return this.outputs;
  }

  async stopOutputs(): Promise<void> {
    await this.outputs?.stop();
    await this.backend?.close();
  }

  async startInputs(p: PipelineParts): Promise<void> {
    const { config, logger } = this.o;
    const inputs = (config.gpio?.inputs ?? []).filter((i) => i.enabled);
    if (this.backend && inputs.length > 0) {
      this.contacts = new ContactInputs({ ...p, backend: this.backend, inputs, faults: this.o.faults, logger: logger.child({ component: 'contacts' }) });
      await this.contacts.start();
      const demo = config.demo?.contacts;
      if (demo && this.backend instanceof SimGpioBackend) {
        const sim = new ContactSimulator(this.backend, inputs, demo.scenario, logger.child({ component: 'sim' }));
        sim.start();
        this.sims.push(sim);
      }
    }
    for (const s of config.demo?.tagReaders ?? []) {
      const sim = new TagReaderSim({ ...s, ...(s.scenario === 'none' ? { present: () => [] } : {}), logger: logger.child({ component: 'sim' }) });
      try {
        await sim.start();
        this.sims.push(sim);
      } catch (err) {
        // A stand-in that cannot listen (port taken by another demo) is no reason to stop the gateway.
        logger.warn({ port: s.port, err: (err as Error).message }, 'demo: simulated tag reader not started');
      }
    }
    const lists = new TagLists(config.tags?.groups ?? {});
    for (const cfg of (config.tags?.readers ?? []).filter((r) => r.enabled)) {
      const reader = new TagReaderRuntime({ ...p, cfg, lists, faults: this.o.faults, logger: logger.child({ component: 'tags' }) });
      reader.start();
      this.readers.push(reader);
    }
  }

  async stopInputs(): Promise<void> {
    for (const r of this.readers.splice(0)) await r.stop();
    for (const s of this.sims.splice(0)) await s.stop();
    await this.contacts?.stop();
  }

  snapshot(): { contacts: ContactSnapshot[]; readers: TagReaderSnapshot[]; outputs: ReturnType<LocalOutputs['all']>[number]['stats'] extends () => infer R ? R[] : never } {
    return {
      contacts: this.contacts?.snapshot() ?? [],
      readers: this.readers.map((r) => r.snapshot()),
      outputs: this.outputs?.all().map((o) => o.stats()) ?? [],
    };
  }
}
