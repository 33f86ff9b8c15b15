import { runCommand, type CommandTarget } from '../../drivers/modbus/command-runner.js';
import { loadProfileSync } from '../../drivers/modbus/profile.js';
import { createModbusBus } from '../../src/bus/modbus/index.js';
import { packageRoot } from '../../src/version.js';
import { startPymodbus } from '../../test/helpers/pymodbus.js';
import { createPtyPair } from '../../test/helpers/socat.js';
import { percentile } from './lib/stats.js';
import type { Report } from './run.js';
import { join } from 'node:path';

/**
 * Device command latency: from asking for a command to its confirmation by read-back, on an RTU
 * line at 19200 baud (socat pty pair, pymodbus playing the example smart leakage breaker, its
 * contact following the switch at once so only the line is measured). Idle: nothing else on the
 * line. Busy: four other units polled back to back at the ordinary poll priority, so the command
 * waits for the exchange on the wire and then goes first (commands queue before polls; a rule's
 * trip is urgent). COMMANDS_BENCH_N changes the number of commands per phase.
 *
 * A pty pair carries bytes without the baud rate's timing, so the measured figures are the
 * gateway's and the slave's turnaround; the time the same frames take on a real 19200-baud line is
 * computed beside them (11-bit characters, t3.5 between frames).
 */
const N = Number(process.env.COMMANDS_BENCH_N ?? 60);

export async function run(report: Report): Promise<void> {
  const profile = loadProfileSync(join(packageRoot(), 'drivers/modbus/profiles/example-smart-leakage-breaker.yaml'));
  const pty = await createPtyPair('bench-cmd');
  const server = await startPymodbus({
    mode: 'rtu',
    device: pty.b,
    baud: 19200,
    units: [1, 2, 3, 4, 5],
    init: { 1: { discrete: { 0: 1 } } },
    links: { 1: [{ from: 'coil:0', to: 'discrete:0' }] },
  });
  const bus = createModbusBus({ id: 'bench', type: 'modbus-rtu', port: pty.a, baudRate: 19200, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs: 500, retries: 1 });
  try {
    await bus.open();
    const target: CommandTarget = { bus, unit: 1, profile };
    const trip = profile.commands.find((c) => c.name === 'trip')!;
    const close = profile.commands.find((c) => c.name === 'close')!;
    const phase = async (label: string): Promise<void> => {
      const ms: number[] = [];
      let failed = 0;
      for (let i = 0; i < N; i++) {
        const o = await runCommand(target, i % 2 === 0 ? trip : close, {}, { readBackEveryMs: 20 });
        if (o.result === 'confirmed') ms.push(o.ms);
        else failed++;
      }
      report(`commands ${label}: request to confirmed read-back p50`, percentile(ms, 50), `ms (${ms.length} commands, ${failed} not confirmed, RTU 19200 baud)`);
      report(`commands ${label}: request to confirmed read-back p99`, percentile(ms, 99), 'ms');
    };
    await phase('idle bus');
    // trip: write coil (8 + 8 bytes), read-back of one discrete input (8 + 6); a poll of 10 input registers: 8 + 25.
    const charMs = (11 / 19200) * 1000;
    const gapMs = 3.5 * charMs;
    const command = 30 * charMs + 3 * gapMs;
    const poll = 33 * charMs + gapMs;
    report('commands on a real 19200-baud line (computed): idle', Math.round(command * 10) / 10, 'ms of frames and gaps per command');
    report('commands on a real 19200-baud line (computed): busy, worst', Math.round((command + poll) * 10) / 10, 'ms (behind the one poll already on the wire)');
    // Four other units polled back to back, as a busy line with slow devices would be.
    let polling = true;
    const polls = [2, 3, 4, 5].map(async (unit) => {
      while (polling) await bus.request({ op: 'read', unit, area: 'input', address: 0, count: 10 }).catch(() => undefined);
    });
    await phase('busy bus (4 units polled back to back)');
    polling = false;
    await Promise.all(polls);
  } finally {
    await bus.close().catch(() => undefined);
    await server.stop();
    pty.close();
  }
}
