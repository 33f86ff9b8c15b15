import type { GpioConfig } from '../../config/io-types.js';
import { systemTimers, type TimerHandle, type Timers } from '../../clock/timers.js';
import type { FaultReporter } from '../../faults/gateway-faults.js';
import type { Logger } from '../../log/logger.js';
import { ReconnectBackoff } from '../../retry/backoff.js';
import type { GpioBackendOptions } from './create.js';
import type { GpioBackend } from './types.js';

export interface GpioAccessOptions {
  config: GpioConfig | undefined;
  logger: Logger;
  faults: FaultReporter;
  /** Tests and benchmarks inject a backend (e.g. a SimGpioBackend they control). */
  backend?: GpioBackend;
  backendOptions?: Partial<GpioBackendOptions>;
  timers?: Timers;
  /** Opening the backend again; default 1 s doubling to 30 s, jittered. */
  retry?: { minMs: number; maxMs: number };
}

type ReadyListener = (backend: GpioBackend) => Promise<void> | void;

/**
 * The gateway's GPIO backend, shared by the outputs and the dry contacts. Opening it never fails a
 * start: no usable GPIO (no gpiochip, no sysfs, no permission, libgpiod tools missing) is the
 * `gpio` fault, and the backend is opened again on a jittered back-off (udev may set a device
 * node's permissions late in boot, gpiod may be installed meanwhile). Parts that need it register
 * with onReady() and are called once it is open, in registration order.
 */
export class GpioAccess {
  private current: GpioBackend | undefined;
  private readonly listeners: ReadyListener[] = [];
  private readonly timers: Timers;
  private readonly backoff: ReconnectBackoff;
  private retryTimer: TimerHandle | undefined;
  /** An open under way (stop waits for it). */
  private opening: Promise<void> | undefined;
  private faulted = false;
  private stopped = true;

  constructor(private readonly o: GpioAccessOptions) {
    this.timers = o.timers ?? systemTimers;
    this.backoff = new ReconnectBackoff(o.retry?.minMs ?? 1000, o.retry?.maxMs ?? 30_000);
  }

  /** Whether the config has any GPIO input or output. */
  get configured(): boolean {
    return (this.o.config?.inputs.length ?? 0) + (this.o.config?.outputs.length ?? 0) > 0;
  }

  backend(): GpioBackend | undefined {
    return this.current;
  }

  /** Calls `listener` with the backend once it is open (at once if it is open already). */
  onReady(listener: ReadyListener): Promise<void> {
    this.listeners.push(listener);
    return this.current !== undefined ? this.tell(listener, this.current) : Promise.resolve();
  }

  /** Opens the backend, or schedules the next attempt. Never rejects. */
  start(): Promise<void> {
    if (!this.configured) return Promise.resolve();
    this.stopped = false;
    return this.open();
  }

  /** Stops retrying, waits for an open under way, and closes the backend (its users stopped first). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.opening;
    const backend = this.current;
    this.current = undefined;
    await backend?.close();
  }

  private open(): Promise<void> {
    const run: Promise<void> = this.tryOpen()
      .catch((err: unknown) => this.o.logger.error({ err: (err as Error).message }, 'GPIO start failed unexpectedly'))
      .finally(() => {
        if (this.opening === run) this.opening = undefined;
      });
    this.opening = run;
    return run;
  }

  private async tryOpen(): Promise<void> {
    const { config, logger, faults } = this.o;
    let backend: GpioBackend;
    try {
      // The backends (onoff, the gpiod tools) are loaded only by a gateway with a gpio section; a
      // failed import is a backend that cannot be opened: the same fault and retry.
      backend =
        this.o.backend ??
        (await (await import('./create.js')).createGpioBackend({ backend: config!.backend, logger: logger.child({ component: 'gpio' }), ...(config!.chip ? { chipLabel: config!.chip } : {}), ...this.o.backendOptions }));
    } catch (err) {
      if (this.stopped) return;
      // No GPIO must not take the Modbus detectors and the uplink down with it.
      if (!this.faulted) {
        this.faulted = true;
        const message = `GPIO unavailable, contacts and outputs are not working: ${(err as Error).message}`;
        logger.error({ code: (err as { code?: string }).code }, message);
        faults.raise('gpio', message, { point: 'gpio' });
      }
      this.retryLater();
      return;
    }
    if (this.stopped) {
      await backend.close();
      return;
    }
    this.current = backend;
    this.backoff.reset();
    logger.info({ backend: backend.kind }, 'GPIO backend ready');
    if (this.faulted) {
      this.faulted = false;
      faults.clear('gpio', `GPIO available (${backend.kind})`);
    }
    for (const l of this.listeners) await this.tell(l, backend);
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined || this.stopped) return;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.open();
    }, this.backoff.next());
  }

  private async tell(listener: ReadyListener, backend: GpioBackend): Promise<void> {
    try {
      await listener(backend);
    } catch (err) {
      this.o.logger.error({ err }, 'a GPIO user failed to start');
    }
  }
}
