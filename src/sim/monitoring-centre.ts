import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  Command,
  FrameReader,
  answerFrame,
  decodeUnit,
  encodeFrame,
  encodeUnit,
  type ApplicationDataUnit,
  type CentreUnit,
  type DecodedFrame,
} from '../uplink/gbt26875/index.js';
import { describeFrame } from './centre-describe.js';

/** How the simulated centre answers the gateway's sends. */
export type CentreMode = 'confirm' | 'deny' | 'drop';

export interface CentreSimOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** The centre's own address (6 bytes). Default 0. */
  address?: number;
  utcOffsetMinutes?: number;
  mode?: CentreMode;
  /** Answers wait this long. Default 0. */
  delayMs?: number;
  /** Every frame in plain language, as it arrives. */
  log?: (line: string) => void;
}

/** A frame the centre received, decoded. */
export interface ReceivedFrame {
  /** Wall time it arrived. */
  at: number;
  frame: DecodedFrame;
  unit?: ApplicationDataUnit;
  error?: string;
  /** Plain language. */
  text: string;
  /** The same serial number and data as a frame received before: the gateway sent it again. */
  resend: boolean;
}

interface Waiter {
  serial: number;
  resolve(f: DecodedFrame | undefined): void;
  timer: NodeJS.Timeout;
}

/**
 * A fire remote monitoring centre for the demo and the tests, over real TCP: it accepts gateways,
 * decodes and logs every frame in plain language, confirms (or denies, or drops, or answers late)
 * their sends, and can ask them for reads, sync their clock, initialise them and run a duty check.
 * It speaks GB/T 26875.3 through the same codec the gateway uses, so what it checks is the framing,
 * the serial numbers and the session's behaviour, not an independent reading of the standard (the
 * codec's own tests hold captures of real devices for that).
 */
export class MonitoringCentreSim {
  readonly received: ReceivedFrame[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly seen = new Map<string, string>();
  private readonly waiters = new Map<number, Waiter>();
  private readonly listeners = new Set<(r: ReceivedFrame) => void>();
  private mode: CentreMode;
  private delayMs: number;
  private serial = 0;
  private last: { socket: Socket; gateway: number } | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: CentreSimOptions,
  ) {
    this.mode = options.mode ?? 'confirm';
    this.delayMs = options.delayMs ?? 0;
  }

  static async start(options: CentreSimOptions = {}): Promise<MonitoringCentreSim> {
    const server = createServer();
    const sim = new MonitoringCentreSim(server, options);
    server.on('connection', (socket) => sim.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return sim;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Gateways connected now. */
  connections(): number {
    return this.sockets.size;
  }

  setMode(mode: CentreMode, delayMs = this.delayMs): void {
    this.mode = mode;
    this.delayMs = delayMs;
  }

  /** Called for every frame received; returns an unsubscribe function. */
  onFrame(listener: (r: ReceivedFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first received frame (past or future) that matches, or rejects after `timeoutMs`. */
  async waitFor(match: (r: ReceivedFrame) => boolean, timeoutMs: number, what = 'a matching frame'): Promise<ReceivedFrame> {
    const found = this.received.find(match);
    if (found !== undefined) return found;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`centre simulator: no ${what} within ${timeoutMs} ms; received:\n${this.received.map((r) => r.text).join('\n')}`));
      }, timeoutMs);
      const off = this.onFrame((r) => {
        if (!match(r)) return;
        clearTimeout(timer);
        off();
        resolve(r);
      });
    });
  }

  /** Asks the last gateway that sent something: a read (61–88) or a control (89–91). Resolves with its answer, or undefined after `timeoutMs`. */
  async ask(unit: CentreUnit, timeoutMs = 5000): Promise<DecodedFrame | undefined> {
    const to = this.last;
    if (to === undefined || to.socket.destroyed) return undefined;
    const serial = (this.serial = (this.serial + 1) % 65536);
    const command = unit.type >= 89 ? Command.control : Command.request;
    const data = encodeUnit(unit, this.unitOptions());
    to.socket.write(encodeFrame({ serial, time: new Date(), source: this.options.address ?? 0, destination: to.gateway, command, data }, this.unitOptions()));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(serial);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(serial, { serial, resolve, timer });
    });
  }

  /** Drops every connection (as a centre restart would). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const w of this.waiters.values()) clearTimeout(w.timer);
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader(this.unitOptions());
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) this.handle(socket, frame);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private handle(socket: Socket, frame: DecodedFrame): void {
    let unit: ApplicationDataUnit | undefined;
    let error: string | undefined;
    if (frame.data.length > 0) {
      try {
        unit = decodeUnit(frame.data, this.unitOptions());
      } catch (err) {
        error = (err as Error).message;
      }
    }
    const key = `${frame.source}:${frame.serial}:${frame.command}`;
    const data = frame.data.toString('hex');
    const resend = frame.command === Command.send && this.seen.get(key) === data;
    this.seen.set(key, data);
    const text = `${describeFrame(frame, unit, error)}${resend ? ' (resend)' : ''}`;
    const r: ReceivedFrame = { at: Date.now(), frame, text, resend };
    if (unit !== undefined) r.unit = unit;
    if (error !== undefined) r.error = error;
    this.received.push(r);
    if (this.received.length > 10_000) this.received.splice(0, 1000);
    this.options.log?.(text);
    for (const l of this.listeners) l(r);

    const waiter = this.waiters.get(frame.serial);
    if (waiter !== undefined && (frame.command === Command.reply || frame.command === Command.confirm || frame.command === Command.deny)) {
      clearTimeout(waiter.timer);
      this.waiters.delete(frame.serial);
      waiter.resolve(frame);
      return;
    }
    if (frame.command !== Command.send) return;
    this.last = { socket, gateway: frame.source };
    if (this.mode === 'drop') return;
    const answer = this.mode === 'deny' || error !== undefined ? Command.deny : Command.confirm;
    const reply = (): void => {
      if (!socket.destroyed) socket.write(encodeFrame(answerFrame(frame, answer, new Date()), this.unitOptions()));
    };
    if (this.delayMs > 0) setTimeout(reply, this.delayMs).unref();
    else reply();
  }

  private unitOptions(): { utcOffsetMinutes?: number } {
    return this.options.utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: this.options.utcOffsetMinutes };
  }
}
