import type { MaintenanceTask } from '../config/io-types.js';

const DAY_MS = 86_400_000;

/**
 * The first time the task is due strictly after `after` (ms), in the gateway's local time zone
 * (the one its system is set to, as the installer wrote `at`). Days of the month stop at 28, so
 * every month has one.
 */
export function nextDue(task: Pick<MaintenanceTask, 'every' | 'day' | 'at'>, after: number): number {
  const [hh, mm] = task.at.split(':').map(Number) as [number, number];
  const base = new Date(after);
  for (let i = 0; i <= 62; i++) {
    const d = new Date(base.getFullYear(), base.getMonth(), base.getDate() + i, hh, mm, 0, 0);
    if (d.getTime() <= after) continue;
    if (task.every === 'week' && d.getDay() !== (task.day ?? 0)) continue;
    if (task.every === 'month' && d.getDate() !== (task.day ?? 1)) continue;
    return d.getTime();
  }
  throw new Error(`no due time within 62 days of ${new Date(after).toISOString()}`);
}

/** The task's interval, for the overdue check (a month counted as 31 days). */
export function intervalMs(task: Pick<MaintenanceTask, 'every'>): number {
  return task.every === 'day' ? DAY_MS : task.every === 'week' ? 7 * DAY_MS : 31 * DAY_MS;
}
