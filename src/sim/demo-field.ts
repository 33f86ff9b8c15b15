import type { GpioAccess } from '../bus/gpio/gpio-access.js';
import { SimGpioBackend } from '../bus/gpio/sim-backend.js';
import type { HearthConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { ContactSimulator } from './contact-scenario.js';
import { DeviceSimulators } from './device-simulators.js';
import { TagReaderSim, tagsAt } from './tag-reader-sim.js';

/**
 * The demo's field, for configs with a `demo:` section: Modbus TCP slaves with scripted scenarios,
 * TCP tag readers, and the dry contacts driven on the simulated GPIO backend. It starts before the
 * gateway's own sources (so they find their devices), and stops after them.
 *
 * The Modbus simulators are needed (the demo is about them): a port they cannot take fails the
 * start with the port named. A tag reader stand-in that cannot listen is only a warning.
 */
export class DemoField {
  private readonly devices: DeviceSimulators | undefined;
  private readonly sims: { stop(): unknown }[] = [];
  private stopped = false;

  constructor(
    private readonly config: HearthConfig,
    private readonly gpio: GpioAccess,
    private readonly logger: Logger,
  ) {
    const demo = config.demo;
    if (demo && demo.simulators.length > 0) this.devices = new DeviceSimulators(demo.simulators, config.profilePaths, logger, demo.cycleS);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.devices?.start();
    const demo = this.config.demo;
    for (const s of demo?.tagReaders ?? []) {
      const cycleS = demo?.cycleS ?? 60;
      const present = s.scenario === 'none' ? () => [] : (t: number) => tagsAt(t, cycleS);
      const sim = new TagReaderSim({ ...s, present, logger: this.logger });
      try {
        await sim.start();
        this.sims.push(sim);
      } catch (err) {
        this.logger.warn({ port: s.port, err: (err as Error).message }, 'demo: simulated tag reader not started');
      }
    }
    const inputs = (this.config.gpio?.inputs ?? []).filter((i) => i.enabled);
    if (demo?.contacts && inputs.length > 0) {
      const scenario = demo.contacts.scenario;
      void this.gpio.onReady((backend) => {
        if (this.stopped || !(backend instanceof SimGpioBackend)) return;
        const sim = new ContactSimulator(backend, inputs, scenario, this.logger, demo.cycleS);
        sim.start();
        this.sims.push(sim);
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.sims.splice(0)) await s.stop();
    await this.devices?.stop();
  }
}
