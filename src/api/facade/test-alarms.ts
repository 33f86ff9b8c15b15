import type { Location } from '../../model/location.js';
import { buildEvent } from '../../model/event-factory.js';
import { apiError } from '../errors.js';
import type { GatewayParts } from '../gateway-parts.js';
import type { LiveMessage, TestAlarmRecord } from '../gateway-facade.js';
import type { ConsoleState } from '../local-state.js';

/**
 * No acknowledgement from the receiving centre within 100 s after a fire alarm is a fault
 * (EN 54-21 §5.3); the same bound decides a commissioning test alarm's pass or fail.
 */
export const TEST_ALARM_DEADLINE_MS = 100_000;

/**
 * Commissioning test alarms: a `test` event for a device (or the gateway) through the same
 * pipeline as a real one; it passes when the broker confirmed it within the deadline. The records
 * are kept in the console's state file, so the report shows them after a restart.
 */
export class TestAlarms {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly parts: GatewayParts,
    private readonly state: ConsoleState,
    private readonly publish: (m: LiveMessage) => void,
    private readonly deadlineMs = TEST_ALARM_DEADLINE_MS,
  ) {}

  /** Follows deliveries on the gateway bus: a pending test alarm the broker confirmed has passed. */
  attach(): void {
    this.unlisten = this.parts.bus.on('delivered', ({ eventIds, at }) => {
      for (const id of eventIds) {
        const timer = this.timers.get(id);
        if (timer === undefined) continue;
        clearTimeout(timer);
        this.timers.delete(id);
        void this.finish(id, { result: 'pass', confirmedAt: at }).catch((err: unknown) => this.parts.logger.error({ err }, 'test alarm: not finished'));
      }
    });
    this.failLeftovers();
  }

  /** Test alarms pending from before a restart cannot be confirmed any more (the tracking was in memory). */
  private failLeftovers(): void {
    for (const t of this.state.data.testAlarms) {
      if (t.result === 'pending') void this.state.updateTestAlarm(t.eventId, { result: 'fail' }).catch((err: unknown) => this.parts.logger.error({ err }, 'console state: test alarm not updated'));
    }
  }

  list(): TestAlarmRecord[] {
    return this.state.data.testAlarms.map((t) => ({ ...t }));
  }

  async send(deviceId: string | undefined, by: string): Promise<TestAlarmRecord> {
    const { config, clock, sink, store, logger } = this.parts;
    let target: { id: string; location: Location };
    if (deviceId === undefined) target = { id: config.gateway.id, location: config.gateway.location };
    else {
      const device = config.devices.find((d) => d.id === deviceId && d.enabled);
      if (device === undefined) throw apiError('API_NOT_FOUND', `no device '${deviceId}'`);
      target = device;
    }
    const event = buildEvent({ gatewayId: config.gateway.id, clock, seq: store }, target, {
      kind: 'test',
      severity: 'info',
      message: `test alarm for ${target.id} (commissioning, by ${by})`,
    });
    const record: TestAlarmRecord = { deviceId: target.id, eventId: event.id, sentAt: event.ts, result: 'pending' };
    await this.state.recordTestAlarm(record);
    const timer = setTimeout(() => {
      this.timers.delete(event.id);
      void this.finish(event.id, { result: 'fail' }).catch((err: unknown) => logger.error({ err }, 'test alarm: not finished'));
    }, this.deadlineMs);
    timer.unref();
    this.timers.set(event.id, timer);
    // The sink never throws for storage: a test alarm during a storage fault is held in memory and sent.
    sink.event(event);
    return { ...record };
  }

  stop(): void {
    this.unlisten?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private async finish(eventId: string, change: Partial<TestAlarmRecord>): Promise<void> {
    const current = this.state.data.testAlarms.find((t) => t.eventId === eventId);
    if (current === undefined || current.result !== 'pending') return;
    const record = await this.state.updateTestAlarm(eventId, change).catch((err: unknown) => {
      this.parts.logger.warn({ err }, 'console state: test alarm result not recorded');
      return undefined;
    });
    if (record !== undefined) {
      this.parts.logger.info({ device: record.deviceId, result: record.result }, 'test alarm finished');
      this.publish({ type: 'test-alarm', record: { ...record } });
    }
  }
}
