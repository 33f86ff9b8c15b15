import t from 'tap';
import { ManualClock } from '../../src/clock/clock.js';
import { CounterSequence } from '../../src/model/sequence.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { GatewayFaults } from '../../src/faults/gateway-faults.js';

function faults(sink: (e: GatewayEvent) => void = () => {}) {
  let n = 0;
  const events: GatewayEvent[] = [];
  const f = new GatewayFaults({
    gatewayId: 'gw-1',
    clock: new ManualClock(),
    seq: new CounterSequence(),
    newId: () => `ev-${++n}`,
    location: { building: 'B' },
    sink: {
      event: (e) => {
        events.push(e);
        sink(e);
      },
    },
  });
  return { f, events };
}

t.test('a key is raised once and cleared once; the restore points at the fault', async (t) => {
  const { f, events } = faults();
  f.raise('storage', 'outbox cannot write', { severity: 'critical' });
  f.raise('storage', 'outbox cannot write (again)');
  t.equal(events.length, 1, 'a second raise of the same key sends nothing');
  t.ok(f.active('storage'));
  f.clear('storage');
  f.clear('storage');
  t.equal(events.length, 2, 'a second clear sends nothing');
  const [fault, restore] = events as [GatewayEvent, GatewayEvent];
  t.match(fault, { kind: 'fault', severity: 'critical', deviceId: 'gw-1', point: 'storage', location: { building: 'B' } });
  t.match(restore, { kind: 'restore', severity: 'critical', restores: fault.id, point: 'storage' });
  t.notOk(f.active('storage'));
});

t.test('a device fault carries the device and its own point', async (t) => {
  const { f, events } = faults();
  f.raise('gpio:smoke-1', 'gpiomon exited', { deviceId: 'smoke-1', point: 'line', location: { room: 'boiler' } });
  t.match(events[0], { deviceId: 'smoke-1', point: 'line', location: { room: 'boiler' } });
});

t.test('a sink that throws is counted, never thrown into the caller', async (t) => {
  const { f } = faults(() => {
    throw new Error('disk');
  });
  t.doesNotThrow(() => f.raise('x', 'broken'));
  t.doesNotThrow(() => f.clear('x'));
  t.equal(f.deliveryFailures(), 2);
});

t.test('held until open(): calls are replayed in order, active() answers meanwhile', async (t) => {
  const events: GatewayEvent[] = [];
  const f = new GatewayFaults({ gatewayId: 'gw', clock: new ManualClock(), seq: new CounterSequence(), location: {}, sink: { event: (e) => events.push(e) }, held: true });
  f.raise('state:a.json', 'unreadable');
  f.raise('state:b.json', 'unreadable');
  f.clear('state:b.json');
  t.ok(f.active('state:a.json'));
  t.notOk(f.active('state:b.json'));
  t.same(events, [], 'nothing sent while held');
  f.open();
  t.same(events.map((e) => `${e.kind} ${e.point}`), ['fault state:a.json', 'fault state:b.json', 'restore state:b.json']);
  f.raise('x', 'now');
  t.equal(events.length, 4, 'sent at once after open');
});
