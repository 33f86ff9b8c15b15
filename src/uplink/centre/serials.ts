/** Frames one outbox record may take (type 2, then 3, then 1: event-units.ts). */
const FRAMES_PER_RECORD = 4;

/**
 * Business serial numbers (§6.6 table 1: 2 bytes, the sender counts up per new packet; a resend
 * and an answer keep the number). A record's frames take numbers derived from its outbox row id,
 * so the same record sent again after a restart carries the same numbers and the centre can
 * recognise the resend. Everything else (heartbeats, operations, records held in memory during a
 * storage fault) counts up from where the last number went. A number still waiting for its
 * confirm is never handed out twice.
 */
export class SerialNumbers {
  private last = 0;

  constructor(private readonly inUse: (serial: number) => boolean) {}

  /** The number of frame `k` of the record stored at row `rowId` (row ids are positive). */
  forRecord(rowId: number, k: number): number {
    if (rowId <= 0 || k >= FRAMES_PER_RECORD) return this.next();
    const serial = (rowId * FRAMES_PER_RECORD + k) % 65536;
    if (this.inUse(serial)) return this.next();
    this.last = serial;
    return serial;
  }

  /** The next free number after the last one handed out. */
  next(): number {
    for (let i = 1; i <= 65536; i++) {
      const serial = (this.last + i) % 65536;
      if (!this.inUse(serial)) {
        this.last = serial;
        return serial;
      }
    }
    throw new Error('gbt26875: every serial number is waiting for a confirm');
  }
}
