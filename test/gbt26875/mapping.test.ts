import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import {
  buildGbt26875Site,
  componentAddress,
  componentStatus,
  ComponentType,
  decodeUnit,
  deviceOperation,
  deviceStatus,
  encodeUnit,
  eventUnits,
  Gbt26875Error,
  operationUnit,
  readingUnits,
  systemOperation,
  systemStatus,
  type Gbt26875Site,
} from '../../src/uplink/gbt26875/index.js';
import { gatewayEvent } from './fixtures.js';

const site: Gbt26875Site = buildGbt26875Site(
  {
    gateway: { id: 'gw-1' },
    buses: [{ id: 'line-a' }, { id: 'line-b' }],
    devices: [
      { id: 'smoke-1', name: '2层201室烟感', bus: 'line-b', address: 3, location: { floor: '2' } },
      { id: 'rcd-1', bus: 'line-a', address: 1, location: { building: '3号楼', room: '配电室' } },
    ],
    gpio: { inputs: [{ id: 'relay-1', pin: 17, location: { room: 'boiler' } }] },
    tags: { readers: [{ id: 'reader-1', location: { room: 'elevator' } }] },
  },
  new Map([
    ['smoke-1', { kind: 'smoke' }],
    ['rcd-1', { kind: 'residual-current' }],
  ]),
);

const at = (seq: number): Date => new Date(gatewayEvent(seq).ts);

t.test('the site: component type from the profile kind, loop/point addresses, descriptions', async (t) => {
  t.same(site.components.get('smoke-1'), { system: { type: 1, address: 1 }, componentType: 40, address: componentAddress({ loop: 2, point: 3 }), description: '2层201室烟感' });
  t.same(site.components.get('rcd-1'), { system: { type: 1, address: 1 }, componentType: 17, address: 0x00010001, description: '3号楼 配电室' });
  t.same(site.components.get('relay-1'), { system: { type: 1, address: 1 }, componentType: ComponentType.inputModule, address: componentAddress({ loop: 200, point: 17 }), description: 'boiler' });
  t.same(site.components.get('reader-1')?.address, componentAddress({ loop: 201, point: 1 }));
});

t.test('overrides win; one that does not fit is refused when the site is built', async (t) => {
  const config = { gateway: { id: 'gw' }, buses: [{ id: 'b' }], devices: [{ id: 'd', bus: 'b', address: 1, location: { room: 'r' } }] };
  const s = buildGbt26875Site(config, new Map(), { system: { type: 0, address: 9 }, overrides: { d: { componentType: 42, address: { loop: 6, point: 217 }, description: '走廊' } } });
  t.same(s.components.get('d'), { system: { type: 0, address: 9 }, componentType: 42, address: 0x000600d9, description: '走廊' });
  t.same(buildGbt26875Site(config, new Map(), { overrides: { d: { address: 77 } } }).components.get('d')?.address, 77);
  t.throws(() => buildGbt26875Site(config, new Map(), { overrides: { d: { componentType: 256 } } }), Gbt26875Error);
  t.throws(() => buildGbt26875Site(config, new Map(), { overrides: { d: { address: { loop: 70000, point: 1 } } } }), Gbt26875Error);
});

t.test('the demo configuration builds a site', async (t) => {
  const { config, profiles } = await loadConfigWithProfiles('config/demo.yaml', { checkFiles: false });
  const demo = buildGbt26875Site(config, profiles);
  t.equal(demo.gatewayId, 'demo-gw-01');
  t.match(demo.components.get('rcd-main'), { componentType: 17, address: componentAddress({ loop: 3, point: 1 }) });
  t.match(demo.components.get('smoke-101'), { componentType: 40, description: 'Smoke detector, flat 101 living room' });
  t.equal(encodeUnit({ type: 2, components: [{ ...demo.components.get('smoke-101')!, status: componentStatus(), time: new Date() }] }).length, 48, 'the long name is cut to 31 bytes');
  t.equal(demo.components.size, 7);
  t.match(demo.components.get('breaker-1'), { componentType: 17 }, 'the smart leakage breaker as a residual current detector');
});

t.test('a fire alarm: type 2 with the fire flag, then (with the raised conditions) type 1', async (t) => {
  const alarm = gatewayEvent(1);
  t.same(eventUnits(alarm, site), [{ type: 2, components: [{ ...site.components.get('smoke-1')!, status: componentStatus({ fire: true }), time: at(1) }] }]);
  const units = eventUnits(alarm, site, { active: [] });
  t.same(units?.map((u) => u.type), [2, 1]);
  t.same(units?.[1], { type: 1, states: [{ system: { type: 1, address: 1 }, status: systemStatus({ fire: true }), time: at(1) }] });
  for (const u of units ?? []) t.same(decodeUnit(encodeUnit(u)), u, `type ${u.type} encodes`);
});

t.test('other alarms are supervisory, with their value as an analogue value', async (t) => {
  const leak = gatewayEvent(2, { deviceId: 'rcd-1', severity: 'critical', point: 'residual_current', value: 512, unit: 'mA' });
  const units = eventUnits(leak, site);
  t.same(units, [
    { type: 2, components: [{ ...site.components.get('rcd-1')!, status: componentStatus({ supervisory: true }), time: at(2) }] },
    { type: 3, values: [{ system: { type: 1, address: 1 }, componentType: 17, address: 0x00010001, analogueType: 128, value: 512, time: at(2) }] },
  ]);
});

t.test('faults, tamper and offline are component faults; restore and online bring the state back', async (t) => {
  for (const kind of ['fault', 'tamper', 'offline'] as const) {
    t.same(eventUnits(gatewayEvent(3, { kind, severity: 'major' }), site)?.[0], { type: 2, components: [{ ...site.components.get('smoke-1')!, status: componentStatus({ fault: true }), time: at(3) }] }, kind);
  }
  for (const kind of ['restore', 'online'] as const) {
    t.same(eventUnits(gatewayEvent(4, { kind, restores: 'ev-3' }), site)?.[0], { type: 2, components: [{ ...site.components.get('smoke-1')!, status: componentStatus(), time: at(4) }] }, kind);
  }
});

t.test('a restore does not report normal while another point of the device is still raised', async (t) => {
  const fire = gatewayEvent(1);
  const fault = gatewayEvent(2, { kind: 'fault', severity: 'major', point: 'chamber' });
  const otherDevice = gatewayEvent(3, { deviceId: 'rcd-1', kind: 'fault', severity: 'major' });
  const restoreFault = gatewayEvent(5, { kind: 'restore', point: 'chamber', restores: 'ev-2' });
  const units = eventUnits(restoreFault, site, { active: [fire, fault, otherDevice] });
  t.same(units?.[0], { type: 2, components: [{ ...site.components.get('smoke-1')!, status: componentStatus({ fire: true }), time: at(5) }] });
  t.same(units?.[1], { type: 1, states: [{ system: { type: 1, address: 1 }, status: systemStatus({ fire: true, fault: true }), time: at(5) }] });
  const restoreFire = gatewayEvent(6, { kind: 'restore', restores: 'ev-1' });
  t.same(eventUnits(restoreFire, site, { active: [otherDevice] })?.[1], { type: 1, states: [{ system: { type: 1, address: 1 }, status: systemStatus({ fault: true }), time: at(6) }] });
});

t.test("the gateway's own faults become the transmission device's state (type 21)", async (t) => {
  const fault = (seq: number, point: string) => gatewayEvent(seq, { deviceId: 'gw-1', kind: 'fault', severity: 'critical', point });
  t.same(eventUnits(fault(1, 'storage'), site), [{ type: 21, state: { status: deviceStatus({ fault: true }), time: at(1) } }]);
  t.same(eventUnits(fault(2, 'alarm-receipt'), site)?.[0], { type: 21, state: { status: deviceStatus({ fault: true, communicationFault: true }), time: at(2) } });
  t.same(eventUnits(fault(3, 'gpio'), site)?.[0], { type: 21, state: { status: deviceStatus({ fault: true, monitoringLinkFault: true }), time: at(3) } });
  t.same(eventUnits(fault(4, 'power:main'), site)?.[0], { type: 21, state: { status: deviceStatus({ fault: true, mainPowerFault: true }), time: at(4) } });
  t.same(eventUnits(fault(5, 'power:backup'), site)?.[0], { type: 21, state: { status: deviceStatus({ fault: true, backupPowerFault: true }), time: at(5) } });
  const restore = gatewayEvent(6, { deviceId: 'gw-1', kind: 'restore', point: 'storage', restores: 'ev-1' });
  t.same(eventUnits(restore, site), [{ type: 21, state: { status: deviceStatus(), time: at(6) } }], 'alone: all clear');
  t.same(eventUnits(restore, site, { active: [fault(1, 'storage'), fault(4, 'power:main'), gatewayEvent(7)] }), [
    { type: 21, state: { status: deviceStatus({ fault: true, mainPowerFault: true, fire: true }), time: at(6) } },
  ], 'with the raised conditions: the other fault and the fire stay');
});

t.test('test alarms are a test operation; tag presence and dropped-reading notices mean nothing here', async (t) => {
  t.same(eventUnits(gatewayEvent(1, { kind: 'test', severity: 'info' }), site), [{ type: 24, operations: [{ flags: deviceOperation({ test: true }), operator: 0, time: at(1) }] }]);
  for (const kind of ['tag_arrived', 'tag_left', 'dropped'] as const) t.equal(eventUnits(gatewayEvent(2, { kind }), site), undefined, kind);
});

t.test('an event of a device the site does not know still goes out', async (t) => {
  t.same(eventUnits(gatewayEvent(1, { deviceId: 'gone' }), site)?.[0], {
    type: 2,
    components: [{ system: { type: 1, address: 1 }, componentType: 0, address: 0, status: componentStatus({ fire: true }), description: '3号楼 2 201', time: at(1) }],
  });
});

t.test('operations: type 24, and acknowledgements as type 4 of the device system', async (t) => {
  const time = at(1);
  t.same(operationUnit('silence', site, time), { type: 24, operations: [{ flags: deviceOperation({ silence: true }), operator: 0, time }] });
  t.same(operationUnit('reset', site, time, { operator: 2 }), { type: 24, operations: [{ flags: deviceOperation({ reset: true }), operator: 2, time }] });
  t.same(operationUnit('self-test', site, time).type, 24);
  t.same(operationUnit('duty-check-answer', site, time), { type: 24, operations: [{ flags: deviceOperation({ dutyCheckAnswer: true }), operator: 0, time }] });
  t.same(operationUnit('acknowledge', site, time, { deviceId: 'smoke-1' }), { type: 4, operations: [{ system: { type: 1, address: 1 }, flags: systemOperation({ acknowledge: true }), operator: 0, time }] });
});

t.test('readings as analogue values: the unit picks the type, 63 per unit', async (t) => {
  const r = (seq: number, unit: string | undefined, value: number | string, quality: 'good' | 'bad' = 'good') => ({ gatewayId: 'gw-1', deviceId: 'rcd-1', point: 'p', value, unit, quality, ts: at(seq).getTime(), synced: true, mono: seq, seq });
  const units = readingUnits([r(1, 'mA', 431.6), r(2, '°C', 41.27), r(3, 'dB/m', 1), r(4, 'mA', 'x'), r(5, 'mA', 9, 'bad'), r(6, 'A', 1e6)], site);
  t.same(units, [
    {
      type: 3,
      values: [
        { system: { type: 1, address: 1 }, componentType: 17, address: 0x00010001, analogueType: 128, value: 432, time: at(1) },
        { system: { type: 1, address: 1 }, componentType: 17, address: 0x00010001, analogueType: 3, value: 413, time: at(2) },
        { system: { type: 1, address: 1 }, componentType: 17, address: 0x00010001, analogueType: 9, value: 32767, time: at(6) },
      ],
    },
  ]);
  t.same(readingUnits(Array.from({ length: 64 }, (_, i) => r(i, 'mA', i)), site).map((u) => (u.type === 3 ? u.values.length : 0)), [63, 1]);
});
