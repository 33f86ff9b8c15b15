import { lineRef } from '../bus/gpio/types.js';
import type { SimGpioBackend } from '../bus/gpio/sim-backend.js';
import { activeLevel } from '../../drivers/gpio-contact/contact.js';
import type { GpioInputConfig } from '../config/io-types.js';
import type { Logger } from '../log/logger.js';

/**
 * The demo's dry contacts: drives the simulated GPIO lines of the configured inputs. In
 * `alarm-cycle` every contact goes active from 12 s to 24 s of each cycle (60 s, or the demo's `cycleS`; after the Modbus
 * detectors' alarm, so the two are told apart in the log), with a little contact bounce on each
 * change, which the debouncer must swallow.
 */
export type ContactScenario = 'alarm-cycle' | 'steady';

const FROM_S = 12;
const TO_S = 24;

export function contactActiveAt(tSeconds: number, cycleS = 60): boolean {
  const phase = tSeconds % cycleS;
  return phase >= FROM_S && phase < TO_S;
}

export class ContactSimulator {
  private timer: NodeJS.Timeout | undefined;
  private readonly bounce: NodeJS.Timeout[] = [];
  private state = new Map<string, boolean>();

  constructor(
    private readonly gpio: SimGpioBackend,
    private readonly inputs: readonly GpioInputConfig[],
    private readonly scenario: ContactScenario,
    private readonly logger: Logger,
    private readonly cycleS = 60,
  ) {}

  start(): void {
    const t0 = performance.now();
    for (const i of this.inputs) this.apply(i, false);
    if (this.scenario === 'steady') return;
    this.timer = setInterval(() => {
      const active = contactActiveAt((performance.now() - t0) / 1000, this.cycleS);
      for (const i of this.inputs) if (this.state.get(i.id) !== active) this.apply(i, active, true);
    }, 200);
    this.logger.info({ inputs: this.inputs.map((i) => i.id), scenario: this.scenario }, 'demo: simulated dry contacts');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const b of this.bounce.splice(0)) clearTimeout(b);
  }

  private apply(input: GpioInputConfig, active: boolean, bounce = false): void {
    this.state.set(input.id, active);
    const on = activeLevel(input.contact, input.wiring);
    const level = active ? on : on === 1 ? 0 : 1;
    const line = lineRef(input);
    if (bounce) {
      // A real relay contact chatters for a few ms when it switches.
      const other = level === 1 ? 0 : 1;
      this.gpio.set(line, level);
      this.bounce.push(setTimeout(() => this.gpio.set(line, other), 2));
      this.bounce.push(setTimeout(() => this.gpio.set(line, level), 4));
    } else this.gpio.set(line, level);
  }
}
