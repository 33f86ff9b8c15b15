import { readFileSync, rmSync } from 'node:fs';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { demoCopy } from '../../test/helpers/demo-config.js';
import { freePort } from '../../test/helpers/net.js';
import { sleep } from './lib/stats.js';
import type { Report } from './run.js';

/**
 * Storage bytes written per day by the demo site (config/demo.yaml as shipped: four Modbus
 * detectors, a dry contact and a tag reader with their alarm-cycle scenarios), the issue an SD card
 * dies of. The real gateway runs in this process with its state in a temp folder on a real disk;
 * after a warm-up the bench reads the kernel's count of bytes this process sent to storage
 * (`write_bytes` in /proc/self/io: every page it dirtied, the outbox file, its write-ahead log, the
 * small state files) over the window and scales it to a day. Twice:
 *
 * - uplink up: the demo's embedded broker confirms everything (target <= 20 MB/day);
 * - uplink down: the platform's address refuses connections, so every reading is spilled to the
 *   outbox file; the outbox's own commit counters say how often (target: at most one reading
 *   commit per second);
 * - a quiet site, uplink up: the same devices with no alarm cycle (the demo raises and restores
 *   four alarms a minute, about 20,000 events a day, each committed with an fsync of its own and
 *   never thinned: a floor of a few KB each that no buffering may remove), so what readings cost
 *   shows on its own.
 *
 * Nothing else in this process writes while it measures (benchmarks run one after another).
 * STORAGE_BENCH_S changes the window (seconds).
 */
const WARMUP_MS = 15_000;
const WINDOW_MS = Number(process.env.STORAGE_BENCH_S ?? 90) * 1000;
const DAY_MS = 86_400_000;

export async function run(report: Report): Promise<void> {
  await measure(report, 'uplink up', { uplinkDown: false, quiet: false });
  await measure(report, 'uplink down', { uplinkDown: true, quiet: false });
  await measure(report, 'quiet site, uplink up', { uplinkDown: false, quiet: true });
}

async function measure(report: Report, label: string, how: { uplinkDown: boolean; quiet: boolean }): Promise<void> {
  const closedPort = await freePort();
  const demo = await demoCopy((c) => {
    c.log = { level: 'error', format: 'json' };
    c.api.enabled = false;
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
    const mb = (b: number): number => Math.round(b / 10_000) / 100;
    report(`storage demo site, ${label}: written`, mb((bytes * DAY_MS) / WINDOW_MS), `MB/day (${bytes} bytes in ${WINDOW_MS / 1000} s, ${raised} events raised)`);
    // Each event is committed with an fsync of its own, and deleted later with others: its cost is the floor.
    if (raised > 0) report(`storage demo site, ${label}: per event raised`, Math.round(bytes / raised / 100) / 10, 'KB (everything written, divided by the events)');
    if (after !== undefined && before.commits !== undefined) {
      const s = WINDOW_MS / 1000;
      const readings = (after.readings - before.commits.readings) / s;
      const events = (after.events - before.commits.events) / s;
      report(`storage demo site, ${label}: reading commits`, readings, `commits/s (event commits ${events.toFixed(2)}/s)`);
    }
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
