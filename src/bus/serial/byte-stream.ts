import { connect, type Socket } from 'node:net';
import { serialPortClass } from './load-serialport.js';
import type { Logger } from '../../log/logger.js';

/**
 * A read-mostly byte stream from a field device (tag readers): a serial port through serialport,
 * or a TCP serial server. It reconnects by itself with a capped backoff: an unplugged USB adapter
 * or a rebooted device server is a field condition, counted and logged, never a crash.
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
  /** `onState` hears every open, every failed open and every close (not those of stop()). */
  start(onData: (chunk: Buffer) => void, onState?: (state: StreamState) => void): void;
  stop(): Promise<void>;
  stats(): ByteStreamStats;
}

interface Conn {
  close(): Promise<void>;
}

export interface ReconnectOptions {
  logger: Logger;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** Connect, read until it ends, wait, connect again; the wait doubles up to maxDelayMs. */
abstract class ReconnectingStream implements ByteStream {
  private conn: Conn | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private delay: number;
  private readonly counters: ByteStreamStats = { connected: false, connects: 0, disconnects: 0, bytes: 0 };
  private onData: (chunk: Buffer) => void = () => {};
  private onState: (state: StreamState) => void = () => {};

  constructor(
    protected readonly label: string,
    private readonly opts: ReconnectOptions,
  ) {
    this.delay = opts.minDelayMs ?? 250;
  }

  start(onData: (chunk: Buffer) => void, onState?: (state: StreamState) => void): void {
    this.onData = onData;
    if (onState) this.onState = onState;
    this.stopped = false;
    this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.conn;
    this.conn = undefined;
    await c?.close();
  }

  stats(): ByteStreamStats {
    return { ...this.counters };
  }

  /** A listener's mistake must not stop the reconnecting. */
  private tell(state: StreamState): void {
    try {
      this.onState(state);
    } catch (err) {
      this.opts.logger.error({ stream: this.label, err }, 'stream state listener failed');
    }
  }

  protected abstract open(handlers: { data: (b: Buffer) => void; up: () => void; down: (err?: Error) => void }): Conn;

  private attempt(): void {
    if (this.stopped) return;
    let down = false;
    this.conn = this.open({
      data: (b) => {
        this.counters.bytes += b.length;
        this.onData(b);
      },
      up: () => {
        this.counters.connected = true;
        this.counters.connects += 1;
        this.delay = this.opts.minDelayMs ?? 250;
        this.opts.logger.info({ stream: this.label }, 'connected');
        this.tell({ up: true });
      },
      down: (err) => {
        if (down) return;
        down = true;
        if (this.counters.connected) this.counters.disconnects += 1;
        this.counters.connected = false;
        if (err) this.counters.lastError = (err as NodeJS.ErrnoException).code ?? err.message;
        if (this.stopped) return;
        this.opts.logger.warn({ stream: this.label, err: err?.message, retryMs: this.delay }, 'stream down; reconnecting');
        const c = this.conn;
        this.conn = undefined;
        void c?.close().catch(() => {});
        this.timer = setTimeout(() => this.attempt(), this.delay);
        this.delay = Math.min(this.delay * 2, this.opts.maxDelayMs ?? 10_000);
        const error = err ? ((err as NodeJS.ErrnoException).code ?? err.message) : undefined;
        this.tell(error !== undefined ? { up: false, error } : { up: false });
      },
    });
  }
}

export class SerialByteStream extends ReconnectingStream {
  constructor(
    private readonly path: string,
    private readonly baudRate: number,
    opts: ReconnectOptions,
  ) {
    super(path, opts);
  }

  protected open(h: { data: (b: Buffer) => void; up: () => void; down: (err?: Error) => void }): Conn {
    const SerialPort = serialPortClass();
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    port.on('data', h.data);
    port.on('close', () => h.down());
    port.on('error', (err: Error) => h.down(err));
    port.open((err) => (err ? h.down(err) : h.up()));
    return {
      close: () =>
        new Promise<void>((done) => {
          if (!port.isOpen) return done();
          port.close(() => done());
        }),
    };
  }
}

export class TcpByteStream extends ReconnectingStream {
  constructor(
    private readonly host: string,
    private readonly port: number,
    opts: ReconnectOptions,
  ) {
    super(`tcp://${host}:${port}`, opts);
  }

  protected open(h: { data: (b: Buffer) => void; up: () => void; down: (err?: Error) => void }): Conn {
    const socket: Socket = connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    socket.on('connect', h.up);
    socket.on('data', h.data);
    socket.on('error', (err) => h.down(err));
    socket.on('close', () => h.down());
    return {
      close: () =>
        new Promise<void>((done) => {
          if (socket.destroyed) return done();
          socket.once('close', () => done());
          socket.destroy();
        }),
    };
  }
}

/** `host:port` → parts (IPv6 in brackets). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!m) throw new Error(`expected host:port, got '${text}'`);
  return { host: m[1]!, port: Number(m[2]) };
}
