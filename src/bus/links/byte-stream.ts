import type { ComponentLogger } from '../../log/component-logger.js';
import type { Connector } from './link.js';
import { ReconnectingLink } from './reconnecting-link.js';
import { serialConnector } from './serial-channel.js';
import { tcpConnector } from './tcp-channel.js';

/**
 * A read-mostly byte stream from a field device (tag readers): a serial port or a TCP serial
 * server, kept open by the same reconnecting link the Modbus buses use (reconnecting-link.ts). An
 * unplugged USB adapter or a rebooted device server is a field condition, counted and reported,
 * never a crash.
 */

export interface ByteStreamStats {
  connected: boolean;
  connects: number;
  disconnects: number;
  bytes: number;
  lastError?: string;
}

/** Whether the source is open; `error` is the errno code (or message) of what closed or refused it. */
export type StreamState = { up: true } | { up: false; error?: string };

export interface ByteStream {
  /** `onState` hears every open, every lost connection and the first failed open (not stop()). */
  start(onData: (chunk: Buffer) => void, onState?: (state: StreamState) => void): void;
  stop(): Promise<void>;
  stats(): ByteStreamStats;
}

export interface ReconnectOptions {
  logger: ComponentLogger;
  minDelayMs?: number;
  maxDelayMs?: number;
}

class LinkByteStream implements ByteStream {
  private readonly link: ReconnectingLink;
  private readonly counters: ByteStreamStats = { connected: false, connects: 0, disconnects: 0, bytes: 0 };

  constructor(
    private readonly label: string,
    connector: Connector,
    private readonly opts: ReconnectOptions,
  ) {
    this.link = new ReconnectingLink(label, label, connector, { minMs: opts.minDelayMs ?? 250, maxMs: opts.maxDelayMs ?? 10_000 }, opts.logger);
  }

  start(onData: (chunk: Buffer) => void, onState: (state: StreamState) => void = () => {}): void {
    const tell = (state: StreamState): void => {
      try {
        onState(state);
      } catch (err) {
        this.opts.logger.error({ stream: this.label, err }, 'stream state listener failed');
      }
    };
    this.link.attach({
      data: (chunk) => {
        this.counters.bytes += chunk.length;
        onData(chunk);
      },
      up: () => {
        this.counters.connected = true;
        this.counters.connects += 1;
        tell({ up: true });
      },
      down: (err) => {
        this.counters.connected = false;
        this.counters.disconnects += 1;
        this.down(err, tell);
      },
    });
    // A first open that fails is reported once; the link keeps trying in the background.
    this.link.open().catch((err: unknown) => this.down((err as { cause?: Error }).cause ?? (err as Error), tell));
  }

  stop(): Promise<void> {
    return this.link.close();
  }

  stats(): ByteStreamStats {
    return { ...this.counters };
  }

  private down(err: Error | undefined, tell: (state: StreamState) => void): void {
    const error = err ? ((err as NodeJS.ErrnoException).code ?? err.message) : undefined;
    if (error !== undefined) this.counters.lastError = error;
    tell(error !== undefined ? { up: false, error } : { up: false });
  }
}

/** A serial port (8N1; a reader's baud rate from its protocol or config). */
export class SerialByteStream extends LinkByteStream {
  constructor(path: string, baudRate: number, opts: ReconnectOptions) {
    super(path, serialConnector({ path, baudRate, dataBits: 8, stopBits: 1, parity: 'none' }), opts);
  }
}

/** A TCP serial server (the reader behind a device server, or a demo stand-in). */
export class TcpByteStream extends LinkByteStream {
  constructor(host: string, port: number, opts: ReconnectOptions) {
    super(`tcp://${host}:${port}`, tcpConnector(host, port, 5000), opts);
  }
}

/** `host:port` → parts (IPv6 in brackets). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!m) throw new Error(`expected host:port, got '${text}'`);
  return { host: m[1]!, port: Number(m[2]) };
}
