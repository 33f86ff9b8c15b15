import type { KeyObject } from 'node:crypto';
import type { HearthConfig } from '../config/types.js';
import type { GpioAccess } from '../bus/gpio/gpio-access.js';
import type { DeviceSnapshot } from '../devices/runtime.js';
import type { Logger } from '../log/logger.js';
import type { Component } from './component.js';

/**
 * The demo's stand-ins (src/sim/) as daemon components: the embedded broker in place of the
 * platform, the simulated field, the monitoring centre simulator and the periodic demo log.
 *
 * Each module is imported when its component starts, so a gateway with a real platform and no
 * demo section never loads aedes and the simulators (their code and sources would stay resident
 * for the process's life). A failed import is that component's start failure: the embedded broker
 * and the simulated field stop the start as before, the centre simulator and the demo log are
 * optional and the gateway runs on without them.
 */
export interface DemoParts {
  /** Started before the alarm path (the broker and the field exist before anything uses them). */
  first: Component[];
  /** Started last (the demo log reads the devices' state). */
  last: Component[];
}

export interface DemoPartsOptions {
  config: HearthConfig;
  gpio: GpioAccess;
  logger: Logger;
  /** The embedded broker's receiving centre signs its receipts with this run's key. */
  signer: { kid: string; privateKey: KeyObject };
  devices: () => DeviceSnapshot[];
}

export function demoComponents({ config, gpio, logger, signer, devices }: DemoPartsOptions): DemoParts {
  const first: Component[] = [];
  const last: Component[] = [];
  const demo = config.demo;
  if (config.platform.kind === 'embedded') {
    const port = demo?.brokerPort ?? (Number(new URL(config.platform.url).port) || 1883);
    const confirm = (demo?.confirmEvents ?? true) && config.platform.codec === 'native';
    let broker: { stop(): Promise<void> } | undefined;
    first.push({
      name: 'embedded-broker',
      start: async () => {
        const { EmbeddedBroker } = await import('../sim/embedded-broker.js');
        const b = new EmbeddedBroker(port, '127.0.0.1', confirm ? config.platform.topicPrefix : undefined, confirm ? signer : undefined);
        await b.start();
        broker = b;
        logger.info({ url: b.url() }, 'embedded MQTT broker listening (stands in for the platform)');
      },
      stop: () => broker?.stop(),
    });
  }
  if (demo) {
    let field: { stop(): Promise<void> | void } | undefined;
    first.push({
      name: 'demo-field',
      start: async () => {
        const { DemoField } = await import('../sim/demo-field.js');
        const f = new DemoField(config, gpio, logger.child({ component: 'sim' }));
        await f.start();
        field = f;
      },
      stop: () => field?.stop(),
    });
  }
  if (demo?.monitoringCentre) {
    const { port, address } = demo.monitoringCentre;
    const log = logger.child({ component: 'centre-simulator' });
    let sim: { close(): Promise<void> } | undefined;
    first.push({
      name: 'centre-simulator',
      start: async () => {
        const { MonitoringCentreSim } = await import('../sim/monitoring-centre.js');
        sim = await MonitoringCentreSim.start({ port, address, log: (line) => log.info(line) });
        log.info({ port }, 'monitoring centre simulator listening (stands in for the fire monitoring centre, GB/T 26875.3)');
      },
      stop: () => sim?.close(),
      optional: true,
    });
  }
  if (demo) {
    let reporter: { stop(): void } | undefined;
    last.push({
      name: 'demo-reporter',
      start: async () => {
        const { DemoReporter } = await import('../sim/demo-reporter.js');
        const r = new DemoReporter(devices, logger.child({ component: 'demo' }));
        r.start();
        reporter = r;
      },
      stop: () => reporter?.stop(),
      optional: true,
    });
  }
  return { first, last };
}
