import type { DeviceSnapshot } from '../devices/runtime.js';
import type { Logger } from '../log/logger.js';

/**
 * For the demo only: every few seconds, one readable log line per device with its latest values,
 * so a newcomer sees readings flowing without an MQTT client. A field gateway does not do this.
 */
export class DemoReporter {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly snapshot: () => DeviceSnapshot[],
    private readonly logger: Logger,
    private readonly everyMs = 5000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.report(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private report(): void {
    for (const d of this.snapshot()) {
      const values = Object.entries(d.values)
        .filter(([, v]) => typeof v.value === 'number' || v.value === true)
        .map(([name, v]) => `${name}=${typeof v.value === 'number' ? +v.value.toFixed(3) : v.value}${v.unit ? ' ' + v.unit : ''}`)
        .join(', ');
      this.logger.info({ device: d.id, state: d.state }, `reading ${d.id}: ${values || '(no answer yet)'}`);
    }
  }
}
