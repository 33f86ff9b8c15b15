import type { ComponentLogger as Logger } from '../log/component-logger.js';
import type { Codec } from './codec.js';

/** Told when the receiving side confirmed events (docs/platforms.md, "What counts as receipt"). */
export interface ReceiptListener {
  /** Event ids the receiving side confirmed; ids it was never sent, or confirmed before, may occur. */
  confirmed(eventIds: readonly string[]): void;
}

/**
 * Turns what the platform defines as receipt of an event into `confirmed(ids)` calls: its
 * application-level answers on the codec's receipt topics ('application' codecs), or the broker's
 * PUBACK of the event's publish ('broker' codecs, where nothing else exists).
 */
export class Receipts {
  /** Receipt messages that could not be read. */
  bad = 0;

  constructor(
    private readonly codec: Codec,
    private readonly listener: ReceiptListener | undefined,
    private readonly logger: Logger,
  ) {}

  /** Topic filters to subscribe to at every connection. */
  topics(): string[] {
    return this.codec.receipt === 'application' ? (this.codec.receiptTopics?.() ?? []) : [];
  }

  /** The broker took an event (PUBACK): a receipt only where the codec says the PUBACK is one. */
  accepted(eventId: string): void {
    if (this.codec.receipt === 'broker') this.confirmed([eventId]);
  }

  /** A message from the platform; true when it was on a receipt topic. */
  onMessage(topic: string, payload: Buffer): boolean {
    if (this.codec.receipt !== 'application' || this.codec.decodeReceipt === undefined) return false;
    let receipt;
    try {
      receipt = this.codec.decodeReceipt(topic, payload);
    } catch (err) {
      this.bad++;
      this.logger.warn({ err: (err as Error).message, topic, bytes: payload.length }, 'uplink: unreadable receipt message ignored');
      return true;
    }
    if (receipt === undefined) return false;
    for (const r of receipt.refused) this.logger.error({ id: r.id, code: r.code }, 'uplink: the platform answered an event with an error; not a receipt');
    if (receipt.confirmed.length > 0) this.confirmed(receipt.confirmed);
    return true;
  }

  private confirmed(eventIds: readonly string[]): void {
    try {
      this.listener?.confirmed(eventIds);
    } catch (err) {
      this.logger.error({ err }, 'uplink: receipt listener failed');
    }
  }
}
