/** What one or more frames carry, and what to do once the centre confirmed every one of them. */
export interface Packet {
  kind: 'record' | 'heartbeat' | 'operation' | 'state';
  /** Outbox ids of the record(s): delivered when every frame is confirmed, parked on a deny. */
  ids: readonly number[];
  /** Ids of the fire alarms among them: the centre's confirm is their receipt (EN 54-21). */
  fireAlarms: readonly string[];
  /** Frames not yet confirmed, by serial number. */
  waiting: Set<number>;
  /** Wall time the first frame went out. */
  sentAt: number;
}

interface SentFrame {
  bytes: Buffer;
  packet: Packet;
  resends: number;
  timer: NodeJS.Timeout;
}

export interface InFlightOptions {
  /** §6.5: how long a frame waits for its confirm before it is sent again (10 s). */
  confirmTimeoutMs: number;
  /** §6.5: resends before the connection is given up (3). */
  resends: number;
  write(bytes: Buffer): void;
  /** A frame was sent again (same bytes, same serial number). */
  resent(serial: number): void;
  /** A frame stayed unconfirmed after every resend: the session drops the connection. */
  gaveUp(serial: number): void;
}

/**
 * Frames sent and not yet confirmed (§6.5): each waits `confirmTimeoutMs` for the centre's
 * confirm and is sent again, unchanged, up to `resends` times; then the connection is given up
 * and its records go back to the outbox, to be sent on the next connection. A packet is done when
 * all its frames are confirmed; a deny of any of them ends the whole packet.
 */
export class InFlight {
  private readonly frames = new Map<number, SentFrame>();
  private packets = new Set<Packet>();

  constructor(private readonly options: InFlightOptions) {}

  has(serial: number): boolean {
    return this.frames.has(serial);
  }

  /** Sends the packet's frames (serial number, bytes) and starts waiting for their confirms. */
  send(packet: Packet, frames: readonly (readonly [number, Buffer])[]): void {
    this.packets.add(packet);
    for (const [serial, bytes] of frames) {
      packet.waiting.add(serial);
      this.frames.set(serial, { bytes, packet, resends: 0, timer: this.arm(serial) });
      this.options.write(bytes);
    }
  }

  /** The centre confirmed `serial`: the packet if that was its last frame. */
  confirm(serial: number): Packet | undefined {
    const f = this.take(serial);
    if (f === undefined) return undefined;
    f.packet.waiting.delete(serial);
    if (f.packet.waiting.size > 0) return undefined;
    this.packets.delete(f.packet);
    return f.packet;
  }

  /** The centre denied `serial`: the whole packet ends (its other frames stop waiting). */
  deny(serial: number): Packet | undefined {
    const f = this.take(serial);
    if (f === undefined) return undefined;
    for (const other of f.packet.waiting) this.take(other);
    f.packet.waiting.clear();
    this.packets.delete(f.packet);
    return f.packet;
  }

  /** Every packet still waiting, forgotten here (the connection ended). */
  clear(): Packet[] {
    for (const f of this.frames.values()) clearTimeout(f.timer);
    this.frames.clear();
    const all = [...this.packets];
    this.packets = new Set();
    return all;
  }

  /** Packets of outbox records waiting for confirms; `fireOnly` counts those with a fire alarm. */
  records(fireOnly = false): number {
    let n = 0;
    for (const p of this.packets) if (p.kind === 'record' && (!fireOnly || p.fireAlarms.length > 0)) n++;
    return n;
  }

  frameCount(): number {
    return this.frames.size;
  }

  private take(serial: number): SentFrame | undefined {
    const f = this.frames.get(serial);
    if (f === undefined) return undefined;
    clearTimeout(f.timer);
    this.frames.delete(serial);
    return f;
  }

  private arm(serial: number): NodeJS.Timeout {
    return setTimeout(() => this.expired(serial), this.options.confirmTimeoutMs);
  }

  private expired(serial: number): void {
    const f = this.frames.get(serial);
    if (f === undefined) return;
    if (f.resends >= this.options.resends) {
      this.options.gaveUp(serial);
      return;
    }
    f.resends++;
    f.timer = this.arm(serial);
    this.options.write(f.bytes);
    this.options.resent(serial);
  }
}
