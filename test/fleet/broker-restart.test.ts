import t from 'tap';
import { runFleet } from './fleet.js';

/**
 * Issue 14, fleet behaviour: 1,000 gateway uplinks (the real session, each with its own outbox)
 * against one Mosquitto, through a broker restart. They must come back spread out (not in one
 * stampede), none may flap, nothing may be lost, and a gateway with a fire alarm waiting must not
 * wait for the spread. Bounds are generous; the figures are printed (and by `npm run bench -- fleet`).
 */
t.test('1,000 gateways through a broker restart: spread over >= 30 s, <= 3 connects a minute, nothing lost, fire alarms within 10 s', { timeout: 200_000 }, async (t) => {
  const f = await runFleet({ gateways: 1000, withFireAlarm: 20, outageMs: 5000 });
  t.comment(`reconnect spread: ${(f.reconnectSpreadMs / 1000).toFixed(1)} s; per 10 s after the broker came back: ${f.reconnectsPer10s.join(', ')}`);
  t.comment(`max connects per client per minute: ${f.maxConnectsPerClientPerMinute}`);
  t.comment(`fire alarm waiting: reconnected at worst ${f.fireAlarmReconnectWorstMs} ms, alarm at the platform at worst ${f.fireAlarmDeliveredWorstMs} ms after the broker was back`);
  t.comment(`phases (s): ${JSON.stringify(f.phasesS)}`);
  t.comment(`records: ${f.received} of ${f.committed} at the platform, ${f.leftInOutboxes} left in outboxes`);
  t.ok(f.reconnectSpreadMs >= 30_000, `reconnects spread over ${f.reconnectSpreadMs} ms`);
  t.ok(f.maxConnectsPerClientPerMinute <= 3, `no gateway connected more than 3 times a minute (${f.maxConnectsPerClientPerMinute})`);
  t.ok(f.fireAlarmReconnectWorstMs <= 10_000, `gateways with a fire alarm waiting reconnected within 10 s (${f.fireAlarmReconnectWorstMs} ms)`);
  t.ok(f.fireAlarmDeliveredWorstMs <= 10_000, `their fire alarms reached the platform within 10 s (${f.fireAlarmDeliveredWorstMs} ms)`);
  t.equal(f.received, f.committed, 'every reading and event reached the platform');
  t.equal(f.leftInOutboxes, 0, 'every outbox is empty');
});
