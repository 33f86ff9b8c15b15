import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import mqtt from 'mqtt';
import { Mosquitto } from '../../test/helpers/mosquitto.js';
import { startCountingSlave, type CountingSlave } from './lib/footprint-slave.js';
import { writeFootprintConfig } from './lib/footprint-config.js';
import { EventArrivals } from './lib/footprint-events.js';
import { eventFilters } from '../../test/helpers/platform-events.js';
import { GATEWAY_NODE_FLAGS } from './lib/node-flags.js';
import { sampleProc, type ProcSample } from './lib/proc-meter.js';
import { percentile, sleep } from './lib/stats.js';
import type { Report } from './run.js';

/**
 * Footprint of the whole job: 50 Modbus TCP units polled once a second into a real Mosquitto, with
 * a broker outage in the middle, done by the real gateway and by a bare jsmodbus + mqtt.js loop
 * (the floor), one after the other against the same slave, broker and subscriber. Each runs in a
 * child process of its own (with the production V8 flags), measured from /proc: CPU % of one core
 * and RSS over the steady window (before the outage), peak RSS (VmHWM, whole run incl. start-up),
 * storage bytes written. The slave numbers every read it serves per unit and notes when; the
 * subscriber notes when each (unit, seq) arrives: serve→publish latency over the steady window,
 * and readings lost (served but never delivered) over the whole run including the outage. Each
 * unit's fire alarm bit changes every 20 reads (footprint-slave.ts): 2.5 alarms or restores a
 * second across the 50 units, which the gateway commits with an fsync before publishing; their
 * serve→publish and losses are counted the same way (footprint-events.ts).
 *
 * Timeline per contender: start, first reading, 10 s warm-up (unit 1 in alarm for the first half:
 * the first alarm and restore after start, timed apart), FOOTPRINT_BENCH_S (default 40) s
 * steady, FOOTPRINT_ALARMS_S (default 40) s of alarms and 3 s for the last restores,
 * FOOTPRINT_OUTAGE_S (default 30) s broker stopped (restarted on the same port, with its
 * persistence so the subscriber's session and queue survive), at least 20 s recovery and until
 * the backlog has arrived (at most 120 s after the broker is back). About 5.5 min in all. FOOTPRINT_DEFAULTS=1 adds a third run: the gateway with the shipped telemetry
 * settings (60 s batches, columns-deflate), whose latency is the batching interval.
 */
const UNITS = 50;
const STEADY_MS = Number(process.env.FOOTPRINT_BENCH_S ?? 40) * 1000;
const OUTAGE_MS = Number(process.env.FOOTPRINT_OUTAGE_S ?? 30) * 1000;
const ALARMS_MS = Number(process.env.FOOTPRINT_ALARMS_S ?? 40) * 1000;
const WARMUP_MS = 10_000;
const RECOVERY_MS = 20_000;
/** Reads served this close to the end may still be on their way: not counted as lost. */
const TAIL_MS = 3000;
/** Longest wait after the broker is back for the backlog to arrive; what is still missing then is lost. */
const BACKLOG_DEADLINE_MS = 120_000;
const DAY_MS = 86_400_000;
const here = dirname(fileURLToPath(import.meta.url));

/** The gateway's alarms and restores of the units' alarm bits, as the subscriber received them. */
const events = new EventArrivals();

/** First arrival time of each `${unit}:${seq}` at the subscriber. */
type Arrivals = Map<string, number>;

interface Contender {
  name: string;
  topic: string;
  start(): ChildProcess;
}

export async function run(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-footprint-'));
  let slave: CountingSlave | undefined;
  let broker: Mosquitto | undefined;
  let sub: mqtt.MqttClient | undefined;
  const arrivals: Arrivals = new Map();
  try {
    slave = await startCountingSlave(UNITS);
    // TCP_NODELAY towards its clients, as platform brokers set it (EMQX and HiveMQ by default;
    // Mosquitto only when asked): the subscriber's receipts make the broker send it a PUBACK
    // just before an alarm, which Nagle's algorithm would then hold for the subscriber's
    // delayed ACK (40 ms), a delay of the bench's own making, not the gateway's.
    broker = await Mosquitto.start({ persistence: true, extra: ['set_tcp_nodelay true'] });
    sub = await mqtt.connectAsync(broker.url, { clientId: 'bench-footprint-platform', clean: false, reconnectPeriod: 250 });
    sub.on('error', () => {});
    sub.on('message', (topic, payload) => {
      const at = performance.now();
      const ids = events.note(topic, payload, at);
      if (ids === undefined) noteArrival(arrivals, topic, payload, at);
      // The receiving centre confirms what it took over (docs/uplink-native.md, "What counts as
      // receipt by the receiving centre"): without it the gateway rightly raises the "not
      // confirmed" fault 100 s after each fire alarm.
      else if (ids.length > 0) sub?.publish('hearth/v1/gw-footprint/ack', JSON.stringify({ v: 1, ids }), { qos: 1 });
    });
    await sub.subscribeAsync(['hearth/v1/gw-footprint/telemetry', 'hearth/v1/gw-footprint/telemetry/columns-deflate', 'bench/bare/#', ...eventFilters('gw-footprint')], { qos: 1 });

    const port = slave.port;
    const url = broker.url;
    const hearthConfig = writeFootprintConfig(dir, {
      units: UNITS,
      modbusPort: port,
      brokerUrl: url,
      telemetry: 'telemetryFormat: readings, telemetryIntervalMs: 0',
    });
    const hearth = (file: string) => (): ChildProcess => fork(join(here, 'lib', 'hearth-child.js'), [file], { execArgv: GATEWAY_NODE_FLAGS, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const contenders: Contender[] = [
      { name: 'hearth', topic: 'hearth', start: hearth(hearthConfig) },
      { name: 'bare loop', topic: 'bare', start: () => fork(join(here, 'lib', 'bare-loop.js'), [String(port), String(UNITS), url, 'bench/bare'], { execArgv: GATEWAY_NODE_FLAGS, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }) },
    ];
    if (process.env.FOOTPRINT_DEFAULTS === '1') {
      // The shipped telemetry settings (60 s batches, columns-deflate): latency is then the batching
      // interval, so this third run (two more minutes) is asked for, not done by default.
      const shipped = writeFootprintConfig(mkdtempSync(join(dir, 'shipped-')), { units: UNITS, modbusPort: port, brokerUrl: url, telemetry: '' });
      contenders.push({ name: 'hearth, shipped telemetry settings', topic: 'hearth', start: hearth(shipped) });
    }
    for (const c of contenders) {
      arrivals.clear();
      events.clear();
      await measure(report, c, slave, broker, arrivals);
    }
  } finally {
    await sub?.endAsync(true).catch(() => {});
    await slave?.close();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(report: Report, c: Contender, slave: CountingSlave, broker: Mosquitto, arrivals: Arrivals): Promise<void> {
  const child = c.start();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${c.name}: not ready within 60 s`)), 60_000);
      child.once('message', () => (clearTimeout(timer), resolve()));
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${c.name}: exited (${code}) before ready`))));
    });
    const pid = child.pid!;
    await until(() => arrivals.size > 0, 90_000, `${c.name}: no reading at the subscriber within 90 s`);
    // The first alarm after start runs code that has not run yet (no JIT: its bytecode is compiled
    // then, its inline caches are empty): one unit's alarm and restore in the warm-up, timed on
    // their own, so the alarms window measures the alarm path as the readings window measures the
    // readings path, once it has run. Printed apart: what the first alarm after a start costs.
    const c0 = performance.now();
    slave.holdAlarm(1, true);
    await sleep(WARMUP_MS / 2);
    slave.holdAlarm(1, false);
    await sleep(WARMUP_MS / 2);
    const c1 = performance.now();

    const t0 = performance.now();
    const s0 = sampleProc(pid);
    const rss: number[] = [];
    while (performance.now() - t0 < STEADY_MS) {
      await sleep(1000);
      rss.push(sampleProc(pid).rssMb);
    }
    const t1 = performance.now();
    const s1 = sampleProc(pid);

    // Alarms: every unit's alarm bit changes every 20 reads (2.5 alarms or restores a second in
    // all) while the readings go on; then all restore. Apart from the steady window, whose CPU
    // figure compares readings alone with the floor's.
    slave.alarmsActive(true);
    const e0 = performance.now();
    await sleep(ALARMS_MS);
    slave.alarmsActive(false);
    await sleep(3000);
    const e1 = performance.now();
    const se = sampleProc(pid);

    await broker.stop();
    const outFrom = performance.now();
    await sleep(OUTAGE_MS);
    await broker.start();
    const outTo = performance.now();
    // At least RECOVERY_MS, then until every reading served since t0 has arrived: the gateway's
    // reconnect backoff (full jitter up to reconnectMaxMs) may keep it away well after the broker is back.
    await sleep(RECOVERY_MS);
    const deadline = outTo + BACKLOG_DEADLINE_MS;
    while (performance.now() < deadline && undelivered(slave, arrivals, t0, performance.now() - TAIL_MS) > 0) await sleep(1000);
    const tEnd = performance.now();
    const s2 = sampleProc(pid);

    printFigures(report, c.name, { slave, arrivals, c0, c1, t0, t1, e0, e1, s1e: s1, se, outFrom, outTo, tEnd, s0, s1, s2, rss });
  } finally {
    child.send('stop', () => {});
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
}

interface Window {
  slave: CountingSlave;
  arrivals: Arrivals;
  /** The warm-up, with its one alarm and restore (the first after start). */
  c0: number;
  c1: number;
  t0: number;
  t1: number;
  /** The alarms window. */
  e0: number;
  e1: number;
  s1e: ProcSample;
  se: ProcSample;
  outFrom: number;
  outTo: number;
  tEnd: number;
  s0: ProcSample;
  s1: ProcSample;
  s2: ProcSample;
  rss: number[];
}

function printFigures(report: Report, name: string, w: Window): void {
  const latencies: number[] = [];
  let lastOutageArrival = NaN;
  let served = 0;
  let lost = 0;
  let outageServed = 0;
  let outageLost = 0;
  for (let unit = 1; unit <= UNITS; unit++) {
    const times = w.slave.served(unit);
    for (let seq = 1; seq < times.length; seq++) {
      const at = times[seq]!;
      if (at < w.t0 || at > w.tEnd - TAIL_MS) continue;
      const got = w.arrivals.get(`${unit}:${seq & 0xffff}`);
      served++;
      if (got === undefined) lost++;
      if (at >= w.outFrom && at <= w.outTo) {
        outageServed++;
        if (got === undefined) outageLost++;
        else if (!(got <= lastOutageArrival)) lastOutageArrival = got;
      }
      if (at <= w.t1 && got !== undefined) latencies.push(got - at);
    }
  }
  const steadyS = (w.t1 - w.t0) / 1000;
  const wholeS = (w.tEnd - w.t0) / 1000;
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  report(`footprint ${name}: CPU, steady`, round2((w.s1.cpuMs - w.s0.cpuMs) / (w.t1 - w.t0) * 100), `% of one core (${steadyS.toFixed(0)} s before the outage)`);
  report(`footprint ${name}: CPU, outage + recovery`, round2((w.s2.cpuMs - w.s1.cpuMs) / (w.tEnd - w.t1) * 100), `% of one core (${((w.tEnd - w.t1) / 1000).toFixed(0)} s)`);
  report(`footprint ${name}: RSS, steady`, round2(percentile(w.rss, 50)), 'MB (median of 1 s samples)');
  report(`footprint ${name}: RSS, peak`, round2(w.s2.peakRssMb), 'MB (VmHWM, whole run incl. start-up and outage)');
  report(`footprint ${name}: serve→publish p50`, round2(percentile(latencies, 50)), `ms (${latencies.length} readings, steady)`);
  report(`footprint ${name}: serve→publish p99`, round2(percentile(latencies, 99)), 'ms');
  report(`footprint ${name}: readings lost`, lost, `of ${served} served over ${wholeS.toFixed(0)} s (during the outage: ${outageLost} of ${outageServed})`);
  report(`footprint ${name}: broker back → outage backlog delivered`, round2((lastOutageArrival - w.outTo) / 1000), 's (last reading served during the outage at the subscriber)');
  if (events.any()) {
    const ev = events.figures(w.slave, UNITS, { from: w.e0, to: w.e1, lostTo: w.tEnd - TAIL_MS });
    report(`footprint ${name}: CPU, alarms window`, round2((w.se.cpuMs - w.s1e.cpuMs) / (w.e1 - w.e0) * 100), `% of one core (${((w.e1 - w.e0) / 1000).toFixed(0)} s, readings and 2.5 alarms or restores a second)`);
    report(`footprint ${name}: storage written, alarms window`, Math.round((w.se.writeBytes - w.s1e.writeBytes) / Math.max(1, ev.latencies.length) / 100) / 10, 'KB per alarm or restore (everything written in the window, divided by them)');
    report(`footprint ${name}: fire alarm serve→publish p50`, round2(percentile(ev.latencies, 50)), `ms (${ev.latencies.length} alarms and restores; each committed with an fsync first)`);
    report(`footprint ${name}: fire alarm serve→publish p99`, round2(percentile(ev.latencies, 99)), 'ms');
    const cold = events.figures(w.slave, UNITS, { from: w.c0, to: w.c1, lostTo: w.c1 });
    report(`footprint ${name}: first alarm after start, serve→publish`, round2(cold.latencies[0] ?? NaN), `ms (its restore: ${round2(cold.latencies[1] ?? NaN)} ms; the alarm path's code runs for the first time, in the warm-up)`);
    report(`footprint ${name}: fire alarms lost`, ev.lost + cold.lost, `of ${ev.changes + cold.changes} alarm bit changes served over ${wholeS.toFixed(0)} s (and the warm-up)`);
  }
  const steadyBytes = w.s1.writeBytes - w.s0.writeBytes;
  const wholeBytes = w.s2.writeBytes - w.s0.writeBytes;
  const mb = (b: number): number => Math.round(b / 10_000) / 100;
  report(`footprint ${name}: storage written, steady`, mb((steadyBytes * DAY_MS) / (w.t1 - w.t0)), `MB/day (${steadyBytes} bytes in ${steadyS.toFixed(0)} s)`);
  report(`footprint ${name}: storage written, with the outage`, mb((wholeBytes * DAY_MS) / (w.tEnd - w.t0)), `MB/day if every ${wholeS.toFixed(0)} s had one (${wholeBytes} bytes)`);
}

/** Readings served between `from` and `to` (performance.now()) not at the subscriber yet. */
function undelivered(slave: CountingSlave, arrivals: Arrivals, from: number, to: number): number {
  let missing = 0;
  for (let unit = 1; unit <= UNITS; unit++) {
    const times = slave.served(unit);
    for (let seq = times.length - 1; seq >= 1 && times[seq]! >= from; seq--) {
      if (times[seq]! <= to && !arrivals.has(`${unit}:${seq & 0xffff}`)) missing++;
    }
  }
  return missing;
}

/** Notes the first arrival of each reading: the gateway's `readings` telemetry or the bare loop's JSON. */
function noteArrival(arrivals: Arrivals, topic: string, payload: Buffer, at: number): void {
  try {
    if (topic.endsWith('/columns-deflate')) {
      noteColumns(arrivals, JSON.parse(inflateSync(payload).toString()) as Columns, at);
      return;
    }
    const body = JSON.parse(payload.toString()) as { unit?: number; seq?: number; readings?: { dev: string; pt: string; val: unknown }[] };
    if (topic.startsWith('bench/bare/')) {
      const key = `${body.unit}:${body.seq}`;
      if (!arrivals.has(key)) arrivals.set(key, at);
      return;
    }
    for (const r of body.readings ?? []) {
      if (r.pt !== 'seq') continue;
      const key = `${r.dev.slice(1)}:${String(r.val)}`;
      if (!arrivals.has(key)) arrivals.set(key, at);
    }
  } catch {
    // not a reading (status messages): ignore
  }
}

/** The `columns` layout (docs/uplink-native.md): per device and point, arrays of values; odd readings in `rows`. */
interface Columns {
  dev?: Record<string, Record<string, { v: unknown[] }>>;
  rows?: { dev: string; pt: string; val: unknown }[];
}

function noteColumns(arrivals: Arrivals, body: Columns, at: number): void {
  const note = (dev: string, val: unknown): void => {
    const key = `${dev.slice(1)}:${String(val)}`;
    if (!arrivals.has(key)) arrivals.set(key, at);
  };
  for (const [dev, points] of Object.entries(body.dev ?? {})) for (const v of points.seq?.v ?? []) note(dev, v);
  for (const r of body.rows ?? []) if (r.pt === 'seq') note(r.dev, r.val);
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(what);
    await sleep(50);
  }
}
