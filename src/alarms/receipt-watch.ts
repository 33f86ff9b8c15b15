import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import type { GatewayEvent } from '../model/event.js';
import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';

/** EN 54-21 §5.3 (type 1): no receipt of a fire alarm by the receiving centre within 100 s is a fault. */
export const RECEIPT_TIMEOUT_MS = 100_000;

export interface AwaitedReceipt {
  id: string;
  deviceId: string;
  /** Wall time the alarm was raised. */
  raisedAt: number;
  overdue: boolean;
}

export interface ReceiptState {
  /** True while at least one fire alarm is overdue: the local fault indication. */
  fault: boolean;
  awaiting: AwaitedReceipt[];
}

export interface ReceiptWatchOptions {
  timeoutMs?: number;
  now: () => number;
  faults: FaultReporter;
  logger: Logger;
  timers?: Timers;
  /** Told whenever the fault turns on or off. */
  onChange?: (state: ReceiptState) => void;
}

/**
 * Watches that each fire alarm is confirmed by the receiving centre, as the platform defines that
 * confirmation (docs/alarm-path.md: the native ack topic, Alink's event reply, the PUBACK of a
 * platform that is its own broker). The clock starts when the alarm is raised, not when it is first
 * sent: an alarm that cannot be sent at all is the worst case of an unconfirmed one. Overdue alarms
 * raise the `alarm-receipt` fault (an event upstream, the console banner, the fault indicator);
 * it clears once every overdue alarm is confirmed. State is in memory: after a restart, alarms
 * are raised again by the rules and watched again.
 */
export class ReceiptWatch {
  private readonly awaiting = new Map<string, AwaitedReceipt & { timer: TimerHandle }>();
  private readonly timeoutMs: number;
  private readonly timers: Timers;
  private faultOn = false;

  constructor(private readonly options: ReceiptWatchOptions) {
    this.timeoutMs = options.timeoutMs ?? RECEIPT_TIMEOUT_MS;
    this.timers = options.timers ?? systemTimers;
  }

  /** A fire alarm was raised: its receipt is awaited from now on. */
  raised(event: Pick<GatewayEvent, 'id' | 'deviceId'>): void {
    if (this.awaiting.has(event.id)) return;
    const timer = this.timers.setTimeout(() => this.overdue(event.id), this.timeoutMs);
    (timer as { unref?: () => void }).unref?.();
    this.awaiting.set(event.id, { id: event.id, deviceId: event.deviceId, raisedAt: this.options.now(), overdue: false, timer });
  }

  /** The receiving centre confirmed these event ids (unknown ids are ignored). Returns how many matched. */
  confirmed(ids: readonly string[]): number {
    let n = 0;
    for (const id of ids) {
      const a = this.awaiting.get(id);
      if (a === undefined) continue;
      this.timers.clearTimeout(a.timer);
      this.awaiting.delete(id);
      n++;
      if (a.overdue) this.options.logger.info({ id, device: a.deviceId }, 'fire alarm confirmed late by the receiving centre');
    }
    if (n > 0) this.update();
    return n;
  }

  state(): ReceiptState {
    const awaiting = [...this.awaiting.values()].map(({ timer: _t, ...a }) => a);
    return { fault: awaiting.some((a) => a.overdue), awaiting };
  }

  /** Whether this alarm's receipt is still awaited, and whether it is overdue. */
  status(id: string): 'awaited' | 'overdue' | undefined {
    const a = this.awaiting.get(id);
    return a === undefined ? undefined : a.overdue ? 'overdue' : 'awaited';
  }

  stop(): void {
    for (const a of this.awaiting.values()) this.timers.clearTimeout(a.timer);
  }

  private overdue(id: string): void {
    const a = this.awaiting.get(id);
    if (a === undefined) return;
    a.overdue = true;
    this.options.logger.error({ id, device: a.deviceId, raisedAt: a.raisedAt, timeoutMs: this.timeoutMs }, 'FAULT: fire alarm not confirmed by the receiving centre');
    this.update();
  }

  private update(): void {
    const overdue = [...this.awaiting.values()].filter((a) => a.overdue);
    const fault = overdue.length > 0;
    if (fault === this.faultOn) return;
    this.faultOn = fault;
    const { faults } = this.options;
    if (fault) {
      const devices = [...new Set(overdue.map((a) => a.deviceId))].join(', ');
      faults.raise('alarm-receipt', `fire alarm (${devices}) not confirmed by the receiving centre within ${Math.round(this.timeoutMs / 1000)} s`, { severity: 'critical' });
    } else {
      faults.clear('alarm-receipt', 'every fire alarm is confirmed by the receiving centre');
    }
    try {
      this.options.onChange?.(this.state());
    } catch (err) {
      this.options.logger.error({ err }, 'receipt fault listener failed');
    }
  }
}
