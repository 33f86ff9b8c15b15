import type { Logger } from '../outbox/logger.js';
import type { GatewayEvent } from '../model/event.js';

/** EN 54-21 §5.3 (type 1): no acknowledgement of a fire alarm within 100 s is a fault. */
export const ALARM_ACK_TIMEOUT_MS = 100_000;

export interface PendingAlarm {
  id: string;
  deviceId: string;
  /** Wall time of the first publish. */
  sentAt: number;
  overdue: boolean;
}

export interface AlarmAckState {
  /** True while at least one sent fire alarm is overdue: the local fault indication. */
  fault: boolean;
  pending: PendingAlarm[];
}

export interface AlarmAckMonitorOptions {
  timeoutMs?: number;
  now?: () => number;
  logger: Logger;
  /** Called whenever the fault indication turns on or off (a GPIO output, a console badge). */
  onFaultChange?: (state: AlarmAckState) => void;
}

/**
 * Watches the receiving centre's acknowledgement of sent fire alarms. A PUBACK only says the broker
 * took the message; the platform acknowledges on the gateway's ack topic with the event ids
 * (docs/uplink-native.md). A fire alarm sent and not acknowledged within the timeout raises the
 * local fault indication until it is acknowledged. State is per alarm and in memory: after a
 * restart an alarm still in the outbox is sent again and watched again.
 */
export class AlarmAckMonitor {
  private readonly pending = new Map<string, PendingAlarm & { timer: NodeJS.Timeout }>();
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private faultOn = false;

  constructor(private readonly options: AlarmAckMonitorOptions) {
    this.timeoutMs = options.timeoutMs ?? ALARM_ACK_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  /** A fire alarm was published; the clock starts at the first send, a resend does not restart it. */
  sent(event: Pick<GatewayEvent, 'id' | 'deviceId'>): void {
    if (this.pending.has(event.id)) return;
    const timer = setTimeout(() => this.overdue(event.id), this.timeoutMs);
    timer.unref();
    this.pending.set(event.id, { id: event.id, deviceId: event.deviceId, sentAt: this.now(), overdue: false, timer });
  }

  /** The platform acknowledged these event ids (unknown ids are ignored). Returns how many matched. */
  acknowledged(ids: readonly string[]): number {
    let n = 0;
    for (const id of ids) {
      const p = this.pending.get(id);
      if (p === undefined) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      n++;
      if (p.overdue) this.options.logger.info({ id, device: p.deviceId }, 'fire alarm acknowledged late by the platform');
    }
    if (n > 0) this.update();
    return n;
  }

  state(): AlarmAckState {
    const pending = [...this.pending.values()].map(({ timer: _t, ...p }) => p);
    return { fault: pending.some((p) => p.overdue), pending };
  }

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
  }

  private overdue(id: string): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    p.overdue = true;
    this.options.logger.error(
      { id, device: p.deviceId, sentAt: p.sentAt, timeoutMs: this.timeoutMs },
      'FAULT: fire alarm not acknowledged by the receiving centre',
    );
    this.update();
  }

  private update(): void {
    const fault = [...this.pending.values()].some((p) => p.overdue);
    if (fault === this.faultOn) return;
    this.faultOn = fault;
    if (!fault) this.options.logger.info({}, 'alarm acknowledgement fault cleared');
    try {
      this.options.onFaultChange?.(this.state());
    } catch (err) {
      this.options.logger.error({ err }, 'alarm ack fault hook failed');
    }
  }
}
