import type { ComponentLogger } from '../../log/component-logger.js';
import { LinkDownError } from './errors.js';
import { backoffDelay } from '../../retry/backoff.js';
import type { ByteLink, Channel, Connector, LinkHandlers, ReconnectPolicy } from './link.js';

/**
 * Keeps one channel open: connects on open(), and after a loss (socket reset, USB adapter
 * unplugged, device server rebooted) reconnects in the background with backoff until close().
 * Events from a channel that has been replaced or closed are ignored (generation check).
 */
export class ReconnectingLink implements ByteLink {
  private channel: Channel | undefined;
  private handlers: LinkHandlers | undefined;
  private generation = 0;
  private failedAttempts = 0;
  private everConnected = false;
  private closing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;
  reconnects = 0;

  constructor(
    private readonly busId: string,
    private readonly describe: string,
    private readonly connector: Connector,
    private readonly policy: ReconnectPolicy,
    private readonly logger: ComponentLogger,
  ) {}

  get connected(): boolean {
    return this.channel !== undefined;
  }

  attach(handlers: LinkHandlers): void {
    this.handlers = handlers;
  }

  /** Resolves once connected; otherwise rejects with LinkDownError and keeps trying. */
  async open(): Promise<void> {
    this.closing = false;
    try {
      await this.connect();
    } catch (err) {
      this.scheduleRetry();
      throw new LinkDownError(this.describe, { cause: err });
    }
  }

  write(data: Buffer): void {
    if (this.channel === undefined) throw new LinkDownError(this.describe);
    this.channel.write(data);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const channel = this.channel;
    this.channel = undefined;
    await this.connecting?.catch(() => {});
    await channel?.close();
  }

  private connect(): Promise<void> {
    const attempt = this.connectOnce().finally(() => {
      if (this.connecting === attempt) this.connecting = undefined;
    });
    this.connecting = attempt;
    return attempt;
  }

  private async connectOnce(): Promise<void> {
    const gen = ++this.generation;
    const channel = await this.connector({
      data: (chunk) => {
        if (gen === this.generation) this.handlers?.data(chunk);
      },
      closed: (err) => {
        if (gen === this.generation) this.lost(err);
      },
    });
    if (this.closing || gen !== this.generation) {
      await channel.close();
      throw new LinkDownError(this.describe);
    }
    this.channel = channel;
    this.failedAttempts = 0;
    if (this.everConnected) this.reconnects++;
    this.everConnected = true;
    this.logger.info({ bus: this.busId, link: this.describe, reconnects: this.reconnects }, 'bus connected');
    this.handlers?.up();
  }

  private lost(err?: Error): void {
    if (this.channel === undefined) return;
    const channel = this.channel;
    this.channel = undefined;
    this.generation++;
    void channel.close().catch(() => {});
    this.logger.warn({ bus: this.busId, link: this.describe, err: err?.message }, 'bus connection lost');
    this.handlers?.down(err);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closing || this.retryTimer !== undefined) return;
    // The upper half of the window: many gateways restarted by one power cut do not hammer a
    // device server in lockstep, and the delay never collapses to a busy loop.
    const delay = backoffDelay(this.failedAttempts++, { ...this.policy, jitter: 0.5, floorMs: 0 });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closing) return;
      this.connect().catch((err: unknown) => {
        this.logger.debug({ bus: this.busId, link: this.describe, err: (err as Error).message, delayMs: delay }, 'reconnect failed');
        this.scheduleRetry();
      });
    }, delay);
  }
}
