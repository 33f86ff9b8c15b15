import { readFileSync, rmSync } from 'node:fs';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { demoCopy } from '../../test/helpers/demo-config.js';
import { freePort } from '../../test/helpers/net.js';
import { sleep } from './lib/stats.js';
import type { Report } from './run.js';

/**
 * Storage bytes written per day by the demo site (config/demo.yaml: four Modbus detectors, a
 * breaker, a dry contact and a tag reader with their alarm-cycle scenarios), the issue an SD card
 * dies of. The real gateway runs in this process with its state in a temp folder on a real disk;
 * after a warm-up the bench reads the kernel's count of bytes this process sent to storage
 * (`write_bytes` in /proc/self/io: every page it dirtied, the outbox file, its write-ahead log, the
 * small state files) over the window and scales it to a day.
 *
 * The shipped demo repeats its scenarios every 30 min (`demo.cycleS: 1800`): the alarms, the
 * contact and the tag visits of a cycle all happen in its first minute, the rest is quiet. A
 * window shorter than a cycle would scale one minute's events to a day, so the bench measures:
 *
 * - a quiet site, uplink up: the same devices with no alarm cycle, what readings and the rest cost;
 * - the demo with a cycle every 2 min (`cycleS: 120`), uplink up, over two whole cycles: what one
 *   cycle costs on top of the quiet site. Each event is committed with an fsync of its own (a
 *   floor of a few KB that no buffering may remove). A cycle's minute of events and the quiet
 *   minute after it are as separate on the disk as cycles 30 min apart: the kernel writes a dirty
 *   page back within 30 s, so a page one cycle dirtied is not dirtied again "for free" by the next
 *   (with a cycle a minute, they share more pages and each cycle costs less);
 * - the same with the uplink down (the platform's address refuses connections, so every reading
 *   is spilled to the outbox file): the outbox's commit counters say how often readings are
 *   committed (target: at most one reading commit per second);
 * - the shipped demo, uplink up, from those two: the quiet site's rate plus one cycle every 30 min
 *   (target <= 20 MB/day). STORAGE_BENCH_SHIPPED=1 also measures the demo over one whole 30 min
 *   cycle (30 min more).
 *
 * Nothing else in this process writes while it measures (benchmarks run one after another).
 * STORAGE_BENCH_S changes the quiet window (seconds).
 */
const WARMUP_MS = 15_000;
const QUIET_MS = Number(process.env.STORAGE_BENCH_S ?? 90) * 1000;
const DAY_MS = 86_400_000;

interface Figures {
  bytes: number;
  windowMs: number;
  events: number;
}

export async function run(report: Report): Promise<void> {
  const quiet = await measure(report, 'quiet site, uplink up', { uplinkDown: false, quiet: true, cycleS: 60, windowMs: QUIET_MS });
  const cycles = await measure(report, 'an alarm cycle every 2 min, uplink up', { uplinkDown: false, quiet: false, cycleS: CYCLE_S, windowMs: 2 * CYCLE_S * 1000 });
  await measure(report, 'an alarm cycle every 2 min, uplink down', { uplinkDown: true, quiet: false, cycleS: CYCLE_S, windowMs: 2 * CYCLE_S * 1000 });
  const perCycle = cycles.bytes / 2 - (quiet.bytes * CYCLE_S * 1000) / quiet.windowMs;
  const quietPerDay = (quiet.bytes * DAY_MS) / quiet.windowMs;
  const shipped = quietPerDay + perCycle * (DAY_MS / (SHIPPED_CYCLE_S * 1000));
  report(
    'storage demo site as shipped (a cycle every 30 min), uplink up: written',
    mb(shipped),
    `MB/day (quiet site ${mb(quietPerDay)} MB/day + ${Math.round(perCycle / 1024)} KB per cycle of ${cycles.events / 2} events x ${DAY_MS / (SHIPPED_CYCLE_S * 1000)} cycles)`,
  );
  if (process.env.STORAGE_BENCH_SHIPPED === '1') {
    await measure(report, 'as shipped, measured over one whole cycle, uplink up', { uplinkDown: false, quiet: false, cycleS: SHIPPED_CYCLE_S, windowMs: SHIPPED_CYCLE_S * 1000 });
  }
}

/** The shipped demo's cycle (config/demo.yaml), and the short one the bench measures cycles with. */
const SHIPPED_CYCLE_S = 1800;
const CYCLE_S = 120;

const mb = (b: number): number => Math.round(b / 10_000) / 100;

async function measure(report: Report, label: string, how: { uplinkDown: boolean; quiet: boolean; cycleS: number; windowMs: number }): Promise<Figures> {
  const WINDOW_MS = how.windowMs;
  const closedPort = await freePort();
  const demo = await demoCopy((c) => {
    c.log = { level: 'error', format: 'json' };
    c.api.enabled = false;
    c.demo.cycleS = how.cycleS;
    // Nothing listens there: the platform is unreachable for the whole run.
    if (how.uplinkDown) c.platform = { kind: 'embedded', url: `mqtt://127.0.0.1:${closedPort}` };
    if (how.quiet) {
      for (const sim of c.demo.simulators) sim.scenario = 'steady';
      c.demo.contacts = { scenario: 'steady' };
      for (const reader of c.demo.tagReaders ?? []) reader.scenario = 'none';
    }
  });
  const { config, profiles } = await loadConfigWithProfiles(demo.file);
  const daemon = new Daemon({ config, profiles, logger: silentLogger() });
  let events = 0;
  daemon.bus.on('event', () => void events++);
  try {
    await daemon.start();
    await sleep(WARMUP_MS);
    const before = { bytes: writeBytes(), commits: commits(daemon), events };
    await sleep(WINDOW_MS);
    const bytes = writeBytes() - before.bytes;
    const after = commits(daemon);
    const raised = events - before.events;
    report(`storage demo site, ${label}: written`, mb((bytes * DAY_MS) / WINDOW_MS), `MB/day (${bytes} bytes in ${WINDOW_MS / 1000} s, ${raised} events raised)`);
    // Each event is committed with an fsync of its own, and deleted later with others: its cost is the floor.
    if (raised > 0) report(`storage demo site, ${label}: per event raised`, Math.round(bytes / raised / 100) / 10, 'KB (everything written, divided by the events)');
    if (after !== undefined && before.commits !== undefined) {
      const s = WINDOW_MS / 1000;
      const readings = (after.readings - before.commits.readings) / s;
      const events = (after.events - before.commits.events) / s;
      report(`storage demo site, ${label}: reading commits`, readings, `commits/s (event commits ${events.toFixed(2)}/s)`);
    }
    return { bytes, windowMs: WINDOW_MS, events: raised };
  } finally {
    await daemon.stop();
    rmSync(demo.dir, { recursive: true, force: true });
  }
}

/** Bytes this process caused to be sent to storage so far (Linux task I/O accounting). */
function writeBytes(): number {
  const line = readFileSync('/proc/self/io', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('write_bytes:'));
  return Number(line?.split(':')[1] ?? NaN);
}

/** The outbox file's commits so far, by what they carried; undefined while the file cannot be written. */
function commits(daemon: Daemon): { readings: number; events: number } | undefined {
  const box = daemon.path.store.current() as unknown as { commitCounts?: () => { readings: number; events: number } } | undefined;
  return box?.commitCounts?.();
}
