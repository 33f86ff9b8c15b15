import type { Logger } from '../../log/logger.js';
import { EventBus } from '../../events/bus.js';
import type { GatewayBus } from '../../core/gateway-bus.js';
import type { AlarmDesk } from '../../alarms/desk.js';
import { toActiveAlarm } from '../../alarms/active-alarm.js';
import type { LiveMessage } from '../gateway-facade.js';
import { RecentRecords } from '../recent.js';

/**
 * What the console watches: every reading, event and desk change from the gateway's event bus,
 * handed to the console's live connections (SSE), and the recent ones kept for charts and the
 * event list. Observes only: a slow or broken listener is logged, never felt by the pipeline.
 */
export class LiveFeed {
  readonly recent = new RecentRecords();
  private readonly out: EventBus<{ live: LiveMessage }>;
  private readonly unlisten: (() => void)[] = [];
  private readonly subscribers: (() => void)[] = [];

  constructor(logger: Logger) {
    this.out = new EventBus(logger);
  }

  attach(bus: GatewayBus, desk: AlarmDesk): void {
    this.unlisten.push(
      bus.on('reading', (reading) => {
        this.recent.addReading(reading);
        this.publish({ type: 'reading', reading });
      }),
      bus.on('event', (event) => {
        this.recent.addEvent(event);
        this.publish({ type: 'event', event });
      }),
      bus.on('desk', (change) => {
        const view = desk.get(change.condition.event.id) ?? { ...change.condition, sounding: false };
        this.publish({ type: 'alarm', alarm: toActiveAlarm(view), change: change.type });
      }),
    );
  }

  detach(): void {
    for (const off of this.unlisten.splice(0)) off();
    for (const off of this.subscribers.splice(0)) off();
  }

  subscribe(listener: (m: LiveMessage) => void): () => void {
    const off = this.out.on('live', listener);
    this.subscribers.push(off);
    return off;
  }

  publish(m: LiveMessage): void {
    this.out.emit('live', m);
  }
}
