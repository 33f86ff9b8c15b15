import { runFleet } from '../../test/fleet/fleet.js';
import type { Report } from './run.js';

/**
 * 1,000 gateway uplinks (the real session, each with its own outbox, the platform defaults) in
 * this process against one Mosquitto, through a broker restart with a 5 s outage; 20 of them have a
 * fire alarm waiting. Targets: reconnects spread over >= 30 s, <= 3 connects per client per minute,
 * fire alarms at the platform within 10 s of the broker's return, nothing lost.
 * test/fleet/broker-restart.test.ts asserts the same with generous bounds.
 */
export async function run(report: Report): Promise<void> {
  const t0 = performance.now();
  const f = await runFleet({ gateways: 1000, withFireAlarm: 20, outageMs: 5000 });
  report('fleet restart: gateways', f.gateways, '');
  report('fleet restart: reconnect spread', Math.round(f.reconnectSpreadMs / 100) / 10, 's');
  report('fleet restart: reconnects per 10 s after the broker came back', Math.max(...f.reconnectsPer10s), `at most (${f.reconnectsPer10s.join(', ')})`);
  report('fleet restart: max connects per client per minute', f.maxConnectsPerClientPerMinute, '');
  report('fleet restart: fire alarm waiting, reconnect worst', f.fireAlarmReconnectWorstMs, 'ms');
  report('fleet restart: fire alarm waiting, at the platform worst', f.fireAlarmDeliveredWorstMs, 'ms');
  report('fleet restart: records at the platform', f.received, `of ${f.committed} (${f.leftInOutboxes} left in outboxes)`);
  report('fleet restart: run time', Math.round((performance.now() - t0) / 1000), 's');
}
