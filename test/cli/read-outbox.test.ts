import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { freePort } from '../helpers/net.js';
import { startPymodbus } from '../helpers/pymodbus.js';
import { fault, fireAlarm, reading, tempDir } from '../outbox/fixtures.js';
import { nodeArgsFor } from '../helpers/node-entry.js';
import { sibling } from '../helpers/repo.js';

/** `hearth read` against pymodbus, `hearth outbox` against a live (open, WAL) outbox file. */

const MAIN = sibling(import.meta.url, '../../src/main.ts');

function hearth(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgsFor(MAIN), ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function writeConfig(dir: string, modbusPort: number): string {
  const file = join(dir, 'hearth.yaml');
  writeFileSync(
    file,
    `gateway:
  id: cli-gw
  location: { building: B, floor: '0', room: lab }
  stateDir: ${join(dir, 'state')}
buses:
  - { id: line-1, type: modbus-tcp, host: 127.0.0.1, port: ${modbusPort}, timeoutMs: 1000 }
devices:
  - { id: smoke-1, profile: example-smoke-detector, bus: line-1, address: 1, location: { building: B, floor: '0', room: hall } }
  - { id: smoke-hot, profile: example-smoke-detector, bus: line-1, address: 2, location: { building: B, floor: '0', room: attic } }
  - { id: smoke-gone, profile: example-smoke-detector, bus: line-1, address: 9, location: { building: B, floor: '0', room: shed } }
platform: { url: 'mqtts://platform.example.net:8883' }
api: { enabled: false }
`,
  );
  return file;
}

t.test('hearth read', async (t) => {
  const dir = tempDir(t, 'hearth-cli-');
  const port = await freePort();
  // Unit 1: 0.02 dB/m, 21.5 °C, 3 %. Unit 2: 200.0 °C, beyond the profile's plausible 85 °C.
  const slave = await startPymodbus({ mode: 'tcp', port, units: [1, 2], init: { 1: { input: { 0: [20, 215, 3] } }, 2: { input: { 0: [20, 2000, 3] } } } });
  t.teardown(() => slave.stop());
  const file = writeConfig(dir, port);

  const ok = await hearth(['read', 'smoke-1', '--config', file]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /smoke-1 \(EXAMPLE-PSD-485\) on line-1 unit 1/);
  t.match(ok.stdout, /^smoke_density\s+0\.02\s+dB\/m\s+good$/m);
  t.match(ok.stdout, /^temperature\s+21\.5\s+°C\s+good$/m);
  t.match(ok.stdout, /^fire_alarm\s+false\s+good$/m);

  const json = await hearth(['read', 'smoke-1', '--config', file, '--json']);
  t.equal(json.code, 0);
  const readings = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { point: string; value: unknown; unit?: string; quality: string; deviceId: string });
  t.match(readings.find((r) => r.point === 'temperature'), { point: 'temperature', value: 21.5, unit: '°C', quality: 'good', deviceId: 'smoke-1' }, 'a Reading, as the daemon would produce it');

  const hot = await hearth(['read', 'smoke-hot', '--config', file]);
  t.equal(hot.code, 1, 'an implausible value: answered, but not all good');
  t.match(hot.stdout, /^temperature\s+200\s+°C\s+bad$/m);

  const gone = await hearth(['read', 'smoke-gone', '--config', file, '--timeout', '300']);
  t.equal(gone.code, 69, 'no answer: unavailable');
  t.match(gone.stderr, /smoke-gone on line-1 unit 9: no valid answer \(MODBUS_TIMEOUT\)/);

  const unknown = await hearth(['read', 'smoke-404', '--config', file]);
  t.equal(unknown.code, 64);
  t.match(unknown.stderr, /devices: smoke-1, smoke-hot, smoke-gone/);

  const help = await hearth(['read', '--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Exit codes:/);
  t.equal((await hearth(['read'])).code, 64);
});

t.test('hearth outbox stats and export, while the outbox is open', async (t) => {
  const dir = tempDir(t, 'hearth-cli-');
  const file = writeConfig(dir, 1502);
  const box = Outbox.open({
    path: join(dir, 'state', 'outbox.db'),
    destinations: [
      { id: 'platform', readings: true },
      { id: 'city-119', kinds: ['alarm'], readings: false },
    ],
  });
  t.teardown(() => box.close());
  box.appendReading(reading(box.next()));
  box.appendReading(reading(box.next()));
  box.appendEvent(fault(box.next()));
  box.appendEvent(fireAlarm(box.next()));
  box.flush();
  const parked = box.source('city-119')!;
  parked.park!(parked.nextBatch({ maxReadings: 1, maxBytes: 1e6 })!.ids, 'denied');

  writeFileSync(join(dir, 'state', 'outbox-sequence.json'), '{"highWater":100000}\n');
  const stats = await hearth(['outbox', 'stats', '--config', file, '--json']);
  t.equal(stats.code, 0, stats.stderr);
  const s = JSON.parse(stats.stdout) as { depth: Record<string, number>; total: number; sequence: number; sequenceMark: number | null; bytesOnDisk: number; destinations: Record<string, unknown> };
  t.equal(s.sequenceMark, 100000, 'the mark kept in the state directory, beside the file\'s');
  t.same(s.depth, { fire: 1, events: 2, telemetry: 2 }, 'the parking notice is an event too');
  t.equal(s.total, 5);
  t.same(
    s.destinations,
    { platform: { fire: 1, events: 2, telemetry: 2, parked: 0 }, 'city-119': { fire: 0, events: 0, telemetry: 0, parked: 1 } },
    'per destination: what it waits for, what it parked',
  );
  t.ok(s.sequence >= 4, 'sequence high-water mark');
  t.ok(s.bytesOnDisk > 0);

  const text = await hearth(['outbox', 'stats', '--file', join(dir, 'state', 'outbox.db')]);
  t.match(text.stdout, /unsent {4}5 \(fire alarms 1, other events 2, readings 2\)/);
  t.match(text.stdout, /city-119 {2}waits for 0 \(fire alarms 0, other events 0, readings 0\), parked 1/);

  const exp = await hearth(['outbox', 'export', '--config', file]);
  t.equal(exp.code, 0, exp.stderr);
  const lines = exp.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; priority: string; record: { kind?: string } });
  t.same(lines.map((l) => l.priority), ['fire', 'events', 'events', 'telemetry', 'telemetry'], 'send order: fire alarms first');
  t.equal(lines[0]!.record.kind, 'alarm');

  const onlyReadings = await hearth(['outbox', 'export', '--config', file, '--kind', 'reading', '--limit', '1']);
  t.equal(onlyReadings.stdout.trim().split('\n').length, 1);

  // The daemon's view is unchanged: nothing was acked or leased by reading the file.
  t.equal(box.stats().total, 5);

  const missing = await hearth(['outbox', 'stats', '--file', join(dir, 'nope.db')]);
  t.equal(missing.code, 74);
  t.equal((await hearth(['outbox', 'frobnicate'])).code, 64);
  t.equal((await hearth(['outbox', 'export', '--kind', 'x', '--file', 'a.db'])).code, 64);
});
