import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { demoCopy } from '../helpers/demo-config.js';
import { startHearth } from '../helpers/hearth-cli.js';
import { waitFor } from '../helpers/net.js';
import { eventsIn, isEventTopic } from '../helpers/platform-events.js';
import { repoPath } from '../helpers/repo.js';

/**
 * systemd/hearth.service sets MemoryDenyWriteExecute=yes. That is safe only because the unit runs
 * Node without its JIT (--jitless): V8's compilers need pages that are writable and executable,
 * and Node aborts without them. Here the whole demo (simulated field, embedded broker, console,
 * SQLite, the native modules) runs with the unit's own node flags under the kernel's
 * memory-deny-write-execute policy (native/mdwe-exec.c, what systemd applies on Linux >= 6.3) and
 * must deliver its first fire alarm; the same policy with the JIT on must kill Node, or the check
 * proves nothing.
 */

const UNIT = readFileSync(repoPath('systemd/hearth.service'), 'utf8');

/** The node flags of the unit's ExecStart line: whatever the unit ships is what is checked. */
function unitNodeFlags(): string[] {
  const exec = /^ExecStart=(.*)$/m.exec(UNIT)?.[1]?.trim().split(/\s+/) ?? [];
  const flags: string[] = [];
  for (const word of exec.slice(1)) {
    if (!word.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
}

t.test('the unit says MemoryDenyWriteExecute=yes and runs node with --jitless', async (t) => {
  t.match(UNIT, /^MemoryDenyWriteExecute=yes$/m, 'the setting');
  const flags = unitNodeFlags();
  t.ok(flags.includes('--jitless'), `--jitless among the ExecStart flags (${flags.join(' ')})`);
});

t.test('under memory-deny-write-execute the demo runs with the unit flags and delivers a fire alarm; the JIT would abort', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-mdwe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const launcher = join(dir, 'mdwe-exec');
  execFileSync('cc', ['-O2', '-o', launcher, repoPath('test/service/native/mdwe-exec.c')], { stdio: 'pipe' });

  const control = spawnSync(launcher, [process.execPath, '-e', 'for (let i = 0; i < 1e6; i++) Math.sqrt(i);'], { encoding: 'utf8', timeout: 30_000 });
  if (control.status === 77) return t.plan(0, `skipped: this kernel has no memory-deny-write-execute policy (${control.stderr.trim()})`);
  t.not(control.status, 0, `with the JIT, node does not survive the policy (status ${control.status}, signal ${control.signal})`);

  const demo = await demoCopy();
  const hearth = startHearth(['run', '--config', demo.file], { launcher: [launcher], nodeFlags: unitNodeFlags() });
  t.teardown(() => hearth.stop());
  await waitFor(() => /hearth [\d.]+ running/.test(hearth.output()), 60_000).catch(() => {
    throw new Error('the demo did not start under the policy:\n' + hearth.output());
  });
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${demo.brokerPort}`, { protocolVersion: 4, reconnectPeriod: 200 });
  t.teardown(() => sub.endAsync());
  const fire: Record<string, unknown>[] = [];
  sub.on('message', (topic, payload) => {
    if (isEventTopic(topic)) fire.push(...eventsIn(topic, payload).filter((e) => e.kind === 'alarm' && e.sev === 'fire'));
  });
  await sub.subscribeAsync('hearth/v1/demo-gw-01/#', { qos: 1 });
  // The demo's first fire alarm comes about 9 s after start, well after the subscriber is there.
  await waitFor(() => fire.length > 0, 60_000).catch(() => {
    throw new Error('no fire alarm under the policy:\n' + hearth.output());
  });
  t.equal(fire[0]?.dev, 'smoke-101', 'the demo fire alarm arrived');
  t.equal(await hearth.stop(), 0, 'SIGTERM: exit 0');
  t.notMatch(hearth.output(), /Fatal error|Check failed/, 'no V8 abort in the output');
});
