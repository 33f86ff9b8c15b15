import { LocalOutputs } from '../../src/outputs/outputs.js';
import { SimGpioBackend } from '../../src/bus/gpio/sim-backend.js';
import { ManualClock } from '../../src/clock/clock.js';
import type { GpioOutputConfig } from '../../src/config/io-types.js';
import { ignoreFaults } from '../../src/faults/gateway-faults.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { FakeTimers } from '../devices/fakes.js';

/** Outputs on the GPIO simulator with fake timers: siren (sounder, BCM 22), elevator block (relay, active low, 23), fault LED (24). */
export const OUTPUTS: GpioOutputConfig[] = [
  { name: 'siren', pin: 22, activeLevel: 'high', safeState: 'off', sounder: true, role: 'action' },
  { name: 'elevator-block', pin: 23, activeLevel: 'low', safeState: 'off', sounder: false, role: 'action' },
  { name: 'fault-led', pin: 24, activeLevel: 'high', safeState: 'off', sounder: false, role: 'fault-indicator' },
];

export async function outputsRig(configs: GpioOutputConfig[] = OUTPUTS) {
  const clock = new ManualClock();
  const timers = new FakeTimers(clock);
  const gpio = new SimGpioBackend();
  const outputs = new LocalOutputs(gpio, configs, silentLogger(), { faults: ignoreFaults, timers });
  await outputs.start();
  const level = (pin: number) => gpio.level({ bcm: pin });
  return { clock, timers, gpio, outputs, level, siren: () => level(22), elevatorBlocked: () => level(23) === 0, faultLed: () => level(24) };
}

let seq = 0;
export function event(kind: GatewayEvent['kind'], over: Partial<GatewayEvent> = {}): GatewayEvent {
  seq += 1;
  return { id: `ev-${seq}`, kind, severity: 'fire', gatewayId: 'gw', deviceId: 'smoke-1', point: 'smoke', message: '', location: {}, ts: 0, synced: true, mono: 0, seq, ...over };
}
