import { buildGbt26875Site, Command, decodeUnit, encodeFrame, encodeUnit, eventUnits, FrameReader, answerFrame } from '../../src/uplink/gbt26875/index.js';
import type { GatewayEvent } from '../../src/model/event.js';
import type { Report } from './run.js';

/**
 * GB/T 26875.3: fire alarm frames (type 2, component state) encoded and decoded per second, the
 * way the session will: event → units → frame, and bytes → FrameReader → unit. The stream is cut
 * into 64-byte reads so frames straddle reads. Bytes on the wire are application bytes (frames),
 * without TCP/IP headers. Target: ≥ 20,000 frames/s each way on a Pi-class CPU.
 */
const FRAMES = 100_000;
const READ = 64;

const site = buildGbt26875Site(
  { gateway: { id: 'gw' }, buses: [{ id: 'line' }], devices: [{ id: 'smoke-1', name: '3号楼2层201室 烟感', bus: 'line', address: 3, location: { room: '201' } }] },
  new Map([['smoke-1', { kind: 'smoke-photoelectric' }]]),
);

function fireAlarm(seq: number): GatewayEvent {
  return { id: `ev-${seq}`, kind: 'alarm', severity: 'fire', gatewayId: 'gw', deviceId: 'smoke-1', point: 'smoke', message: 'smoke', location: { room: '201' }, ts: Date.UTC(2026, 0, 1) + seq, synced: true, mono: seq, seq };
}

function alarmFrame(seq: number, withSystem: boolean): Buffer[] {
  const units = eventUnits(fireAlarm(seq), site, withSystem ? { active: [] } : {}) ?? [];
  return units.map((u, i) => encodeFrame({ serial: (seq + i) % 65536, time: new Date(Date.UTC(2026, 0, 1) + seq), source: 0x1234, destination: 1, command: Command.send, data: encodeUnit(u) }));
}

export async function run(report: Report): Promise<void> {
  for (let i = 0; i < 2000; i++) alarmFrame(i, false); // warm-up
  let t0 = performance.now();
  const frames: Buffer[] = [];
  for (let i = 0; i < FRAMES; i++) frames.push(...alarmFrame(i, false));
  let s = (performance.now() - t0) / 1000;
  report('gbt26875 fire alarm frames encoded', Math.round(FRAMES / s), 'frames/s');

  const stream = Buffer.concat(frames);
  const reads: Buffer[] = [];
  for (let i = 0; i < stream.length; i += READ) reads.push(stream.subarray(i, i + READ));
  const reader = new FrameReader();
  t0 = performance.now();
  let n = 0;
  for (const r of reads) {
    for (const f of reader.push(r)) {
      if (decodeUnit(f.data).type === 2) n++;
    }
  }
  s = (performance.now() - t0) / 1000;
  if (n !== FRAMES) throw new Error(`decoded ${n} of ${FRAMES}`);
  report('gbt26875 fire alarm frames decoded', Math.round(n / s), 'frames/s');

  const [alarm] = alarmFrame(1, false);
  const confirm = encodeFrame(answerFrame({ serial: 1, version: { major: 1, user: 0 }, source: 0x1234, destination: 1 }, Command.confirm, new Date()));
  const withSystem = alarmFrame(1, true);
  report('gbt26875 fire alarm frame', alarm!.length, 'bytes');
  report('gbt26875 bytes on the wire per fire alarm (frame + confirm)', alarm!.length + confirm.length, 'bytes');
  report('gbt26875 bytes on the wire per fire alarm with system state (2 frames + 2 confirms)', withSystem.reduce((sum, f) => sum + f.length + confirm.length, 0), 'bytes');
}
