import t from 'tap';
import { devicePointSpecs } from '../../src/config/effective-points.js';
import type { PointSpec } from '../../src/model/point.js';
import type { Reading } from '../../src/model/reading.js';
import { ReportByException } from '../../src/reporting/exception-filter.js';
import { reading } from '../outbox/fixtures.js';

/** A filter in front of a recording sink; `at(mono, value)` feeds one reading of rcd-1/leakage. */
function setup(points: Pick<PointSpec, 'name' | 'deadband' | 'maxSilenceMs'>[], deviceId = 'rcd-1') {
  const out: Reading[] = [];
  const filter = new ReportByException({ reading: (r) => void out.push(r) });
  filter.addDevice(deviceId, points);
  let seq = 0;
  const at = (mono: number, value: Reading['value'], overrides: Partial<Reading> = {}): void =>
    filter.reading(reading(++seq, { deviceId, mono, value, ...overrides }));
  return { out, filter, at, values: () => out.map((r) => r.value) };
}

t.test('deadband: forwards the first reading and moves larger than the deadband from the last forwarded value', async (t) => {
  const { at, values, filter } = setup([{ name: 'leakage', deadband: 5 }]);
  at(0, 100);
  at(1, 104); // within 5 of 100
  at(2, 105); // exactly 5: not more than the deadband
  at(3, 106); // 6 from 100: news
  at(4, 102); // 4 from 106
  at(5, 100.9); // 5.1 from 106: news
  t.same(values(), [100, 106, 100.9]);
  t.same(filter.counters, { forwarded: 3, suppressed: 3 });
});

t.test('a slow drift is reported once it adds up (compared with the last forwarded value, not the last seen)', async (t) => {
  const { at, values } = setup([{ name: 'leakage', deadband: 5 }]);
  for (let i = 0; i <= 12; i++) at(i, 100 + i); // +1 per reading
  t.same(values(), [100, 106, 112]);
});

t.test('max silence: a steady value is still forwarded every maxSilenceMs of monotonic time', async (t) => {
  const { at, out } = setup([{ name: 'leakage', deadband: 5, maxSilenceMs: 1000 }]);
  for (let mono = 0; mono <= 3500; mono += 100) at(mono, 120);
  t.same(out.map((r) => r.mono), [0, 1000, 2000, 3000], 'one heartbeat reading per second of silence');
  // Wall-clock steps do not matter: only monotonic time counts.
  const { at: at2, out: out2 } = setup([{ name: 'leakage', maxSilenceMs: 1000 }]);
  at2(0, 1, { ts: Date.UTC(2026, 0, 1) });
  at2(10, 1, { ts: Date.UTC(2026, 0, 1) + 3_600_000 }); // wall jumped an hour forward
  at2(20, 1, { ts: Date.UTC(2026, 0, 1) - 3_600_000 }); // and back
  t.equal(out2.length, 1, 'a wall-clock step neither floods nor silences a point');
});

t.test('quality changes are always news: a reading turning bad, and turning good again', async (t) => {
  const { at, out } = setup([{ name: 'leakage', deadband: 50 }]);
  at(0, 120);
  at(1, 120, { quality: 'bad' });
  at(2, 120, { quality: 'bad' }); // same value, same (bad) quality: nothing new
  at(3, 121, { quality: 'good' });
  t.same(out.map((r) => r.quality), ['good', 'bad', 'good']);
});

t.test('booleans and strings: any change is news, repeats are not', async (t) => {
  const { at, values } = setup([{ name: 'leakage', deadband: 1000 }]);
  for (const v of [false, false, true, true, false, 'open', 'open', 'closed']) at(0, v);
  t.same(values(), [false, true, false, 'open', 'closed']);
});

t.test('registered points without settings get the defaults (on change, with a heartbeat); unregistered devices pass unfiltered', async (t) => {
  const { out, filter } = setup([{ name: 'leakage', deadband: 5 }, { name: 'temperature' }]);
  for (let i = 0; i < 5; i++) filter.reading(reading(i, { point: 'temperature', value: 20, mono: i * 1000 }));
  t.equal(out.length, 1, 'a steady number without settings is sent once, not every poll');
  for (let i = 0; i < 5; i++) filter.reading(reading(i, { deviceId: 'rcd-2', value: 120 }));
  t.equal(out.length, 6, 'a device never registered passes every reading');
});

t.test('per-device overrides (effective points) beat the profile defaults', async (t) => {
  const profile: PointSpec[] = [{ name: 'leakage', deadband: 10, maxSilenceMs: 60_000 } as PointSpec];
  const eff = (reporting: Record<string, { deadband?: number; maxSilenceMs?: number }>) =>
    devicePointSpecs(profile, { thresholds: {}, reporting } as never);
  const out: Reading[] = [];
  const filter = new ReportByException({ reading: (r) => void out.push(r) });
  filter.addDevice('quiet', eff({}));
  filter.addDevice('chatty', eff({ leakage: { deadband: 1 } }));
  filter.addDevice('heartbeat', eff({ leakage: { maxSilenceMs: 100 } }));
  for (const [i, v] of [100, 103, 106, 109].entries()) {
    for (const deviceId of ['quiet', 'chatty', 'heartbeat']) filter.reading(reading(i, { deviceId, value: v, mono: i * 60 }));
  }
  const by = (d: string) => out.filter((r) => r.deviceId === d).map((r) => r.value);
  t.same(by('quiet'), [100], 'profile deadband 10');
  t.same(by('chatty'), [100, 103, 106, 109], 'device deadband 1');
  t.same(by('heartbeat'), [100, 106], 'profile deadband, device max silence 100 ms (mono 0, 120)');
});

t.test('a store that throws: the reading is not counted as sent, the next one is compared with what was sent', async (t) => {
  let fail = true;
  const out: Reading[] = [];
  const filter = new ReportByException({
    reading: (r) => {
      if (fail) throw new Error('disk');
      out.push(r);
    },
  });
  filter.addDevice('rcd-1', [{ name: 'leakage', deadband: 5 }]);
  t.throws(() => filter.reading(reading(1, { value: 100 })));
  fail = false;
  filter.reading(reading(2, { value: 101 }));
  t.same(out.map((r) => r.value), [101], 'the first reading after the failure is forwarded (nothing was sent before)');
});
