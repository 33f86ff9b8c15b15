import type { FaultReporter } from '../../faults/gateway-faults.js';

/**
 * The gateway's fault `gbt26875:<id>` while a monitoring centre stays unreachable: raised when no
 * connection came up within `afterMs` of start or of losing the last one, cleared when one does.
 * The key names the channel to the centre (device-faults.ts: the transmission device's
 * communication fault bit) and the fault goes to the platform and lights the fault indicator.
 */
export class LinkFault {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly key: string,
    private readonly faults: FaultReporter,
    private readonly afterMs: number,
    private readonly describe: () => string,
  ) {}

  /** No connection now: the fault follows unless one comes up in time. */
  arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.faults.raise(this.key, this.describe(), { severity: 'critical' }), this.afterMs);
    this.timer.unref();
  }

  /** Connected. */
  clear(message: string): void {
    this.stop();
    this.faults.clear(this.key, message);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
