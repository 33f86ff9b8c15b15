import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, statfsSync } from 'node:fs';
import { Outbox } from '../../src/outbox/index.js';
import { fault, fireAlarm, reading } from '../outbox/fixtures.js';
const dir = '/tmp/dbg4b/mnt';
mkdirSync(dir, { recursive: true });
try { execFileSync('umount', ['-l', dir]); } catch {}
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir]);
const path = `${dir}/outbox.db`;
const sz = (f: string) => { try { return statSync(f).size; } catch { return -1; } };
const show = (w: string) => { const s = statfsSync(dir); console.log(w, 'db', sz(path), 'wal', sz(path + '-wal'), 'free', s.bavail * s.bsize); };
const logger = { debug() {}, info() {}, warn: (o: object, m?: string) => console.log('WARN', m, JSON.stringify(o)), error: (o: object, m?: string) => console.log('ERR', m, JSON.stringify(o)) };
const box = Outbox.open({ path, quotaMb: 1024, minFreeMb: 0, reserveMb: 2, gatewayId: 'gw-test', maxBufferedReadings: 500, logger });
let i = 0;
try {
  for (; i < 400_000 && !box.stats().storageFault; i++) {
    box.appendReading(reading(box.next(), { value: 'x'.repeat(200) }));
    if (i % 5000 === 0) box.appendEvent(fault(box.next(), { id: `full-${i}` }));
  }
  show('after fault ' + i);
  for (let k = 0; k < 20; k++) { box.appendEvent(fireAlarm(box.next(), { id: `after-full-${k}` })); show('alarm ' + k); }
  for (let k = 0; k < 20000; k++) { box.appendReading(reading(box.next(), { value: 'y'.repeat(200) })); }
  box.flush(); show('after more readings'); console.log(box.stats());
  box.close();
} catch (e) { show('FAIL'); console.log(e); }
execFileSync('umount', ['-l', dir]);
