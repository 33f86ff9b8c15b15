import type { MaintenanceTask } from '../config/io-types.js';
import { HearthError } from '../errors.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import type { TimerHandle, Timers } from '../clock/timers.js';
import type { CommandCaller } from './command-policy.js';
import type { DeviceCommandResult } from './device-commands.js';
import { intervalMs, nextDue } from './maintenance-due.js';

/** What is kept of each task between runs of the gateway (a small state file). */
export interface TaskRecord {
  /** When the schedule first knew the task: "overdue" counts from here until a run passed. */
  since: number;
  lastRunAt?: number;
  lastResult?: string;
  lastOkAt?: number;
  lastDetail?: string;
  lastBy?: string;
}

export interface MaintenanceState {
  tasks: Record<string, TaskRecord>;
}

export interface MaintenanceScheduleOptions {
  tasks: readonly MaintenanceTask[];
  run: (device: string, command: string, caller: CommandCaller) => Promise<DeviceCommandResult>;
  /** The kept records, and how to change them (written through to the state file). */
  state: { data: Readonly<MaintenanceState>; update(mutate: (s: MaintenanceState) => void): Promise<void> };
  /** Whether an alarm is active now: a scheduled test then waits (never during an alarm). */
  alarmActive: () => boolean;
  /** Sends the result upstream (a test event of the device). */
  report: (task: MaintenanceTask, result: DeviceCommandResult, by: string) => void;
  faults: FaultReporter;
  logger: Logger;
  now: () => number;
  timers: Timers;
  /** Wait before trying again while an alarm is active. Default 10 min. */
  postponeMs?: number;
}

/** setTimeout cannot wait longer than 2^31-1 ms; longer waits are taken in steps. */
const MAX_WAIT_MS = 6 * 3_600_000;
const HOUR_MS = 3_600_000;

/**
 * Runs device commands on a schedule: the monthly leakage self-test of a breaker at a quiet hour.
 * Never during an alarm (it waits and tries again); a task missed while the gateway was off runs
 * soon after the start; each result is kept, sent upstream, and a failed run or a task that has not
 * passed for its interval plus its grace time is a fault, cleared by the next passed run.
 */
export class MaintenanceSchedule {
  private readonly timers = new Map<string, TimerHandle>();
  /** When each task is due as armed (a postponed or made-up run included). */
  private readonly dues = new Map<string, number>();
  private running = false;

  constructor(private readonly o: MaintenanceScheduleOptions) {}

  start(): void {
    this.running = true;
    const now = this.o.now();
    void this.o.state
      .update((s) => {
        for (const task of this.o.tasks) s.tasks[task.name] ??= { since: now };
      })
      .catch(() => undefined); // SmallState keeps the change in memory and reports its own faults
    for (const task of this.o.tasks) this.arm(task, this.firstDue(task, now));
  }

  stop(): void {
    this.running = false;
    for (const handle of this.timers.values()) this.o.timers.clearTimeout(handle);
    this.timers.clear();
  }

  /** The tasks with what is kept of them and their next due time, for the console and the report. */
  list(): { task: MaintenanceTask; record: TaskRecord | undefined; nextDue: number; overdue: boolean }[] {
    const now = this.o.now();
    return this.o.tasks.map((task) => {
      const record = this.o.state.data.tasks[task.name];
      return { task, record, nextDue: this.dues.get(task.name) ?? nextDue(task, record?.lastRunAt ?? now), overdue: this.isOverdue(task, now) };
    });
  }

  /** Runs a task now (an installer's "run the self-test"), whatever its schedule; refused during an alarm. */
  async runNow(name: string, by: string): Promise<DeviceCommandResult> {
    const task = this.o.tasks.find((t) => t.name === name);
    if (task === undefined) throw new HearthError('MAINTENANCE_UNKNOWN', `no maintenance task '${name}'`);
    if (this.o.alarmActive()) throw new HearthError('MAINTENANCE_DURING_ALARM', `${name}: not during an alarm`);
    return this.execute(task, { via: 'console', by });
  }

  private firstDue(task: MaintenanceTask, now: number): number {
    const last = this.o.state.data.tasks[task.name]?.lastRunAt;
    if (last === undefined) return nextDue(task, now);
    const missed = nextDue(task, last);
    // Off when it was due: soon after the start, not in the start's rush.
    return missed <= now ? now + 60_000 : missed;
  }

  private arm(task: MaintenanceTask, due: number): void {
    if (!this.running) return;
    this.dues.set(task.name, due);
    const wait = Math.max(0, Math.min(due - this.o.now(), MAX_WAIT_MS));
    this.timers.set(
      task.name,
      this.o.timers.setTimeout(() => {
        this.checkOverdue(task);
        if (this.o.now() < due) return this.arm(task, due);
        void this.due(task);
      }, wait),
    );
  }

  private async due(task: MaintenanceTask): Promise<void> {
    if (this.o.alarmActive()) {
      this.o.logger.warn({ task: task.name }, `maintenance ${task.name}: postponed, an alarm is active`);
      return this.arm(task, this.o.now() + (this.o.postponeMs ?? 600_000));
    }
    try {
      await this.execute(task, { via: 'schedule', by: `schedule:${task.name}` });
    } catch (err) {
      this.o.logger.error({ task: task.name, err: (err as Error).message }, `maintenance ${task.name}: not run`);
      this.o.faults.raise(`maintenance:${task.name}`, `maintenance ${task.name}: not run (${(err as Error).message})`, { deviceId: task.device });
    }
    this.arm(task, nextDue(task, this.o.now()));
  }

  private async execute(task: MaintenanceTask, caller: CommandCaller): Promise<DeviceCommandResult> {
    const result = await this.o.run(task.device, task.command, caller);
    const at = this.o.now();
    await this.o.state
      .update((s) => {
        const r = (s.tasks[task.name] ??= { since: at });
        r.lastRunAt = at;
        r.lastResult = result.result;
        r.lastBy = caller.by;
        if (result.detail !== undefined) r.lastDetail = result.detail;
        else delete r.lastDetail;
        if (result.ok) r.lastOkAt = at;
      })
      .catch(() => undefined);
    this.o.report(task, result, caller.by);
    const key = `maintenance:${task.name}`;
    if (result.ok) {
      this.o.faults.clear(key, `maintenance ${task.name}: ${task.command} ${result.result}`);
      this.o.faults.clear(`maintenance-overdue:${task.name}`);
    } else {
      this.o.faults.raise(key, `maintenance ${task.name}: ${task.command} ${result.result.replace('_', ' ')}${result.detail ? ` (${result.detail})` : ''}`, { deviceId: task.device });
    }
    return result;
  }

  private isOverdue(task: MaintenanceTask, now: number): boolean {
    const r = this.o.state.data.tasks[task.name];
    const from = r?.lastOkAt ?? r?.since ?? now;
    return now - from > intervalMs(task) + task.graceHours * HOUR_MS;
  }

  private checkOverdue(task: MaintenanceTask): void {
    if (this.isOverdue(task, this.o.now())) {
      this.o.faults.raise(`maintenance-overdue:${task.name}`, `maintenance ${task.name}: overdue (${task.command} has not passed for more than ${task.every === 'day' ? 'a day' : `a ${task.every}`} and ${task.graceHours} h)`, { deviceId: task.device });
    }
  }
}
