import type { HearthConfig } from '../config/types.js';
import type { PollProgress } from '../devices/scheduler.js';

/** Slack on top of the computed worst case: a stall verdict restarts the service, so err late. */
const MARGIN_MS = 10_000;

/**
 * How long polling may go without a single settled poll before it counts as stalled.
 *
 * The signal is global (any device's poll settling is progress), so the bound is the longest gap
 * the slowest healthy schedule can produce: a device backed off to its cap, plus the time its poll
 * may wait behind every other device on its bus that is timing out too, plus a margin. A scheduler
 * whose timers stopped firing, or whose polls hang forever (a promise that never settles) runs past
 * it; a field full of dead slaves does not (failed polls settle and count).
 */
export function stallAfterMs(config: HearthConfig): number {
  const buses = new Map(config.buses.map((b) => [b.id, b]));
  const perBus = new Map<string, number>();
  for (const d of config.devices) if (d.enabled) perBus.set(d.bus, (perBus.get(d.bus) ?? 0) + 1);
  let worst = 0;
  for (const d of config.devices) {
    if (!d.enabled) continue;
    const bus = buses.get(d.bus);
    const requestWorstMs = bus ? bus.timeoutMs * (bus.retries + 1) : 5000;
    // A profile may need a few requests per poll; 4 is generous for the shipped ones.
    const queueMs = requestWorstMs * 4 * (perBus.get(d.bus) ?? 1);
    const gap = Math.max(d.pollIntervalMs, d.backoff.maxMs, d.backoff.initialMs ?? 0);
    worst = Math.max(worst, gap + queueMs);
  }
  return worst + MARGIN_MS;
}

export type PollVerdict = { healthy: true } | { healthy: false; reason: 'scheduler-stopped' | 'scheduler-stalled'; detail: string };

/**
 * Judges the scheduler's progress. No scheduler yet (before start) or no devices: nothing to judge.
 */
export function judgePolling(progress: PollProgress | undefined, nowMono: number, stallMs: number): PollVerdict {
  if (progress === undefined || progress.devices === 0) return { healthy: true };
  if (!progress.running) return { healthy: false, reason: 'scheduler-stopped', detail: 'poll scheduler is not running' };
  const idleMs = nowMono - progress.lastProgressMono;
  if (idleMs > stallMs) {
    return { healthy: false, reason: 'scheduler-stalled', detail: `no poll settled for ${Math.round(idleMs)} ms (limit ${stallMs} ms)` };
  }
  return { healthy: true };
}
