import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { readFileSync } from 'node:fs';
import { FrameReader, type DecodedFrame, type FrameReaderStats } from '../gbt26875/index.js';

/** Where and how to reach a centre. */
export interface LinkTarget {
  host: string;
  port: number;
  tls?: { ca?: string; cert?: string; key?: string; servername?: string };
  /** Time zone of the time tags (minutes east of UTC). */
  utcOffsetMinutes: number;
  /** The TCP (and TLS) connection must be up within this. */
  connectTimeoutMs: number;
}

export interface LinkEvents {
  /** Each whole, valid frame, in order; joined and split TCP segments are the reader's business. */
  frame(frame: DecodedFrame): void;
  /** The connection ended (by either side, or failed to open); called once. */
  closed(reason: string): void;
}

/**
 * One TCP (optionally TLS) connection to a monitoring centre, framed. Writes go straight to the
 * socket; a write after close is dropped (the session releases its records on close and sends them
 * again on the next connection). Nagle is off: an alarm frame leaves at once.
 */
export class CentreLink {
  private readonly socket: Socket;
  private readonly reader: FrameReader;
  private open = false;
  private ended = false;

  constructor(
    target: LinkTarget,
    private readonly events: LinkEvents & { opened(): void },
  ) {
    this.reader = new FrameReader({ utcOffsetMinutes: target.utcOffsetMinutes });
    const timeout = setTimeout(() => this.close(`no connection within ${target.connectTimeoutMs} ms`), target.connectTimeoutMs);
    const onOpen = (): void => {
      clearTimeout(timeout);
      this.open = true;
      this.socket.setNoDelay(true);
      this.socket.setKeepAlive(true, 15_000);
      this.events.opened();
    };
    if (target.tls !== undefined) {
      const t = target.tls;
      const options: ConnectionOptions = { host: target.host, port: target.port, servername: t.servername ?? target.host };
      if (t.ca !== undefined) options.ca = readFileSync(t.ca);
      if (t.cert !== undefined) options.cert = readFileSync(t.cert);
      if (t.key !== undefined) options.key = readFileSync(t.key);
      this.socket = tlsConnect(options, onOpen);
    } else {
      this.socket = netConnect({ host: target.host, port: target.port }, onOpen);
    }
    this.socket.on('data', (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) {
        if (this.ended) return;
        this.events.frame(frame);
      }
    });
    this.socket.on('error', (err) => this.close(err.message));
    this.socket.on('close', () => {
      clearTimeout(timeout);
      this.close('closed by the centre');
    });
  }

  isOpen(): boolean {
    return this.open && !this.ended;
  }

  /** Sends the bytes; false when the link is not open (nothing is sent). */
  write(bytes: Buffer): boolean {
    if (!this.isOpen()) return false;
    this.socket.write(bytes);
    return true;
  }

  /** Framing errors and garbage counted by the reader on this connection. */
  readerStats(): FrameReaderStats {
    return this.reader.stats();
  }

  /** Ends the connection (idempotent); `closed` is called once. */
  close(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.open = false;
    this.socket.destroy();
    this.events.closed(reason);
  }
}
