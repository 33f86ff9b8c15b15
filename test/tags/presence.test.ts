import t from 'tap';
import { ignoreFaults } from '../../src/faults/gateway-faults.js';
import { encodeRdm6300 } from '../../drivers/tag-reader/rdm6300.js';
import { ManualClock } from '../../src/clock/clock.js';
import type { TagReaderConfig } from '../../src/config/io-types.js';
import { silentLogger } from '../../src/log/logger.js';
import type { GatewayEvent } from '../../src/model/event.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { TagLists } from '../../src/devices/tags/access.js';
import { PresenceTracker } from '../../src/devices/tags/presence.js';
import { TagReaderRuntime } from '../../src/devices/tags/reader-runtime.js';

t.test('one arrival per presence, one departure after the absence timeout', async (t) => {
  const p = new PresenceTracker({ dwellMs: 0, absenceMs: 1000 });
  t.same(p.observe('A', 0), { type: 'arrived', tag: 'A', mono: 0 });
  for (let ms = 100; ms <= 3000; ms += 100) t.equal(p.observe('A', ms), undefined, 'repeats are no new arrival');
  t.same(p.tick(3900), []);
  t.same(p.tick(4000), [{ type: 'left', tag: 'A', mono: 4000, presentMs: 3000 }]);
  t.same(p.present(), []);
  t.same(p.observe('A', 4100)?.type, 'arrived', 'a new presence after leaving');
});

t.test('dwell: a tag carried past the reader does not arrive', async (t) => {
  const p = new PresenceTracker({ dwellMs: 500, absenceMs: 300 });
  t.equal(p.observe('B', 0), undefined);
  t.equal(p.observe('B', 200), undefined);
  t.same(p.tick(600), [], 'gone before the dwell: nothing to report');
  t.equal(p.observe('C', 1000), undefined);
  t.equal(p.observe('C', 1250), undefined);
  t.same(p.observe('C', 1500)?.type, 'arrived', 'stayed 500 ms: arrived');
});

t.test('a late read after a missed tick ends the old presence and starts a new one', async (t) => {
  const p = new PresenceTracker({ dwellMs: 0, absenceMs: 1000 });
  p.observe('A', 0);
  t.same(p.observe('A', 5000)?.type, 'arrived');
  t.same(p.tick(5001), [{ type: 'left', tag: 'A', mono: 1000, presentMs: 0 }]);
});

t.test('allow and deny lists by tag id or group', async (t) => {
  const lists = new TagLists({ ebikes: ['0eb1ce0001'], residents: ['0800A1B2C3'] });
  t.same(lists.verdict('0EB1CE0001', { deny: { tags: [], groups: ['ebikes'] } }), { kind: 'denied', groups: ['ebikes'], via: 'group ebikes' });
  t.same(lists.verdict('1111111111', { deny: { tags: ['1111111111'], groups: [] } }).kind, 'denied');
  t.same(lists.verdict('0800A1B2C3', { allow: { tags: [], groups: ['residents'] } }).kind, 'ok');
  t.same(lists.verdict('2222222222', { allow: { tags: [], groups: ['residents'] } }).kind, 'not-allowed');
  t.same(lists.verdict('0EB1CE0001', { allow: { tags: ['0EB1CE0001'], groups: [] }, deny: { tags: [], groups: ['ebikes'] } }).kind, 'denied', 'deny wins');
});

const READER: TagReaderConfig = {
  id: 'elevator-reader',
  name: 'Elevator reader',
  protocol: 'rdm6300',
  dwellMs: 0,
  absenceMs: 1500,
  deny: { tags: [], groups: ['ebikes'] },
  alarmSeverity: 'critical',
  location: { floor: '1', room: 'elevator lobby' },
  enabled: true,
};

t.test('reader runtime: repeated frames → arrival, e-bike alarm, departure and restore (fake clock)', async (t) => {
  const clock = new ManualClock();
  const events: GatewayEvent[] = [];
  let n = 0;
  const reader = new TagReaderRuntime({
    gatewayId: 'gw',
    clock,
    seq: new CounterSequence(),
    newId: () => `ev-${++n}`,
    cfg: READER,
    lists: new TagLists({ ebikes: ['0EB1CE0001'] }),
    sink: { event: (e) => events.push(e) },
    logger: silentLogger(),
    faults: ignoreFaults,
  });
  const frame = encodeRdm6300('0EB1CE0001');
  for (let i = 0; i < 20; i++) {
    reader.bytes(frame);
    clock.advance(100);
    reader.tick();
  }
  t.same(events.map((e) => [e.kind, e.severity]), [['tag_arrived', 'critical'], ['alarm', 'critical']], 'one arrival for 20 frames, and one alarm');
  t.equal(events[1]!.deviceId, 'elevator-reader');
  t.equal(events[1]!.value, '0EB1CE0001');
  t.match(events[1]!.message, /0EB1CE0001 \(ebikes\) denied \(group ebikes\) at Elevator reader/);
  t.equal(events[1]!.location.room, 'elevator lobby');
  clock.advance(1399);
  reader.tick();
  t.equal(events.length, 2, 'still present inside the absence timeout');
  clock.advance(100);
  reader.tick();
  t.same(events.map((e) => e.kind), ['tag_arrived', 'alarm', 'tag_left', 'restore']);
  t.equal(events[2]!.restores, events[0]!.id);
  t.equal(events[3]!.restores, events[1]!.id);
  t.same(reader.snapshot().present, []);

  // A resident's tag: an arrival, no alarm.
  reader.bytes(encodeRdm6300('0800A1B2C3'));
  t.same(events.slice(4).map((e) => [e.kind, e.severity]), [['tag_arrived', 'info']]);
  t.equal(reader.snapshot().arrivals, 2);
  t.equal(reader.snapshot().alarms, 1);
});
