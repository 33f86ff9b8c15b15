import type { OutputsPort } from '../api/daemon-port.js';
import { createGpioBackend, type GpioBackendOptions } from '../bus/gpio/create.js';
import { ContactInputs, type ContactSnapshot } from '../bus/gpio/contact-inputs.js';
import { SimGpioBackend } from '../bus/gpio/sim-backend.js';
import type { GpioBackend } from '../bus/gpio/types.js';
import type { Clock } from '../clock/clock.js';
import { systemTimers, type TimerHandle, type Timers } from '../devices/timers.js';
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
import { ReconnectBackoff } from '../uplink/backoff.js';
import { LocalOutputs } from './outputs.js';

/**
 * The gateway's own I/O, as two daemon components. `startOutputs` (before buses and devices):
 * opens the GPIO backend and drives every output to its safe state (the alarm desk drives them from
 * then on, src/alarms/). `startInputs` (just before devices): dry contacts and tag readers start
 * feeding the pipeline. Stop is the reverse; outputs are driven to their safe state last.
 *
 * Nothing here gives up. The output registry exists from `startOutputs` on, with every configured
 * output, so the desk's demands are kept while a line (or all of GPIO) is unusable; an output
 * whose line cannot be requested is a fault of that output and requested again (LocalOutputs). A
 * backend that cannot be opened at all is the `gpio` fault and is opened again on a jittered
 * backoff; once it opens, the outputs' lines are requested and the contacts are started.
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
  timers?: Timers;
  /** Opening a backend again, and requesting an output line again; default 1 s doubling to 30 s, jittered. */
  retry?: { minMs: number; maxMs: number };
}

export class FieldIo {
  private backend: GpioBackend | undefined;
  private outputs: LocalOutputs | undefined;
  private contacts: ContactInputs | undefined;
  private readers: TagReaderRuntime[] = [];
  private sims: { stop(): unknown }[] = [];
  private readonly timers: Timers;
  private readonly openBackoff: ReconnectBackoff;
  private openRetry: TimerHandle | undefined;
  /** An open of the backend under way (stop waits for it). */
  private opening: Promise<void> | undefined;
  /** The `gpio` fault is raised: no backend could be opened. */
  private noGpio = false;
  private stopped = false;
  /** Set by startInputs: the contacts start as soon as the backend is open. */
  private inputParts: PipelineParts | undefined;

  constructor(private readonly o: FieldIoOptions) {
    this.timers = o.timers ?? systemTimers;
    this.openBackoff = new ReconnectBackoff(o.retry?.minMs ?? 1000, o.retry?.maxMs ?? 30_000);
  }

  /** Whether the config has anything for this component to do. */
  get configured(): boolean {
    const c = this.o.config;
    return (c.gpio?.inputs.length ?? 0) + (c.gpio?.outputs.length ?? 0) + (c.tags?.readers.length ?? 0) > 0;
  }

  gpio(): GpioBackend | undefined {
    return this.backend;
  }

  async startOutputs(_pipeline: PipelineParts): Promise<void> {
    const { config, logger, faults } = this.o;
    const gpio = config.gpio;
    if (gpio && gpio.inputs.length + gpio.outputs.length > 0) {
      this.stopped = false;
      this.outputs = new LocalOutputs(undefined, gpio.outputs, logger.child({ component: 'outputs' }), {
        faults,
        ...(this.o.timers ? { timers: this.o.timers } : {}),
        ...(this.o.retry ? { requestRetry: this.o.retry } : {}),
      });
      await this.openBackend();
    }
  }

  private openBackend(): Promise<void> {
    const run: Promise<void> = this.tryOpen()
      .catch((err: unknown) => this.o.logger.error({ err: (err as Error).message }, 'GPIO start failed unexpectedly'))
      .finally(() => {
        if (this.opening === run) delete this.opening;
      });
    this.opening = run;
    return run;
  }

  private async tryOpen(): Promise<void> {
    const { config, logger, faults } = this.o;
    const gpio = config.gpio!;
    let backend: GpioBackend;
    try {
      backend =
        this.o.gpioBackend ??
        (await createGpioBackend({ backend: gpio.backend, logger: logger.child({ component: 'gpio' }), ...(gpio.chip ? { chipLabel: gpio.chip } : {}), ...this.o.backendOptions }));
    } catch (err) {
      if (this.stopped) return;
      // No GPIO must not take the Modbus detectors and the uplink down with it: the gateway runs
      // on, a fault event tells the platform that contacts and sirens are not working, and the
      // backend is opened again (udev may set a device node's permissions late in boot, gpiod may
      // be installed meanwhile).
      if (!this.noGpio) {
        this.noGpio = true;
        const message = `GPIO unavailable, contacts and outputs are not working: ${(err as Error).message}`;
        logger.error({ code: (err as { code?: string }).code }, message);
        faults.raise('gpio', message, { point: 'gpio' });
      }
      this.openLater();
      return;
    }
    if (this.stopped) {
      await backend.close();
      return;
    }
    this.backend = backend;
    this.openBackoff.reset();
    logger.info({ backend: backend.kind }, 'GPIO backend ready');
    if (this.noGpio) {
      this.noGpio = false;
      faults.clear('gpio', `GPIO available (${backend.kind})`);
    }
    await this.outputs?.start(backend);
    if (this.inputParts !== undefined) await this.startContacts(this.inputParts);
  }

  private openLater(): void {
    if (this.openRetry !== undefined || this.stopped) return;
    this.openRetry = this.timers.setTimeout(() => {
      this.openRetry = undefined;
      if (!this.stopped) void this.openBackend();
    }, this.openBackoff.next());
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
        // A pending output (its line not requested yet) cannot show anything to the installer.
        if (output === undefined || output.pending) return { output: id, durationMs, ok: false };
        output.run({ mode: 'pulse', forMs: durationMs, owner: 'console-test' });
        return { output: id, durationMs, ok: true };
      },
    };
  }

  /**
   * The outputs the alarm desk drives: every configured output from startOutputs on, also while
   * its line or the whole backend is not usable yet (it keeps the demands; see LocalOutputs).
   */
  outputRegistry(): LocalOutputs | undefined {
    return this.outputs;
  }

  async stopOutputs(): Promise<void> {
    this.stopped = true;
    if (this.openRetry !== undefined) this.timers.clearTimeout(this.openRetry);
    this.openRetry = undefined;
    // An open under way ends first: what it opened after stop it closes itself.
    await this.opening;
    await this.outputs?.stop();
    await this.backend?.close();
    delete this.backend;
  }

  async startInputs(p: PipelineParts): Promise<void> {
    const { config, logger } = this.o;
    this.inputParts = p;
    // Without a backend yet, the contacts start when it opens (tryOpen).
    await this.startContacts(p);
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

  private async startContacts(p: PipelineParts): Promise<void> {
    const { config, logger } = this.o;
    const inputs = (config.gpio?.inputs ?? []).filter((i) => i.enabled);
    if (this.backend === undefined || this.contacts !== undefined || inputs.length === 0) return;
    this.contacts = new ContactInputs({ ...p, backend: this.backend, inputs, faults: this.o.faults, logger: logger.child({ component: 'contacts' }), ...(this.o.timers ? { timers: this.o.timers } : {}) });
    await this.contacts.start();
    const demo = config.demo?.contacts;
    if (demo && this.backend instanceof SimGpioBackend && this.inputParts !== undefined) {
      const sim = new ContactSimulator(this.backend, inputs, demo.scenario, logger.child({ component: 'sim' }));
      sim.start();
      this.sims.push(sim);
    }
  }

  async stopInputs(): Promise<void> {
    this.inputParts = undefined;
    for (const r of this.readers.splice(0)) await r.stop();
    for (const s of this.sims.splice(0)) await s.stop();
    await this.contacts?.stop();
    delete this.contacts;
  }

  snapshot(): { contacts: ContactSnapshot[]; readers: TagReaderSnapshot[]; outputs: ReturnType<LocalOutputs['all']>[number]['stats'] extends () => infer R ? R[] : never } {
    return {
      contacts: this.contacts?.snapshot() ?? [],
      readers: this.readers.map((r) => r.snapshot()),
      outputs: this.outputs?.all().map((o) => o.stats()) ?? [],
    };
  }
}
