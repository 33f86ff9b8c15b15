import { performance } from 'node:perf_hooks';
import {
  BusClosedError,
  BusDisconnectedError,
  isRetryable,
  ModbusCrcError,
  ModbusError,
  ModbusExceptionError,
  ModbusMalformedError,
  ModbusTimeoutError,
} from './errors.js';
import type { Expectation, Framing } from './framing.js';
import type { ByteLink } from '../links/link.js';
import type { BusLogger } from './logger.js';
import { decodeResponsePdu, encodeRequestPdu, validateRequest } from './pdu.js';
import { PriorityQueue } from './priority-queue.js';
import { UnitCounterBook } from './unit-counters.js';
import type { BusCounters, ModbusBus, ModbusRequest, ModbusResponse, RequestOptions } from './types.js';

export interface MasterSettings {
  id: string;
  framing: Framing;
  link: ByteLink;
  timeoutMs: number;
  retries: number;
  /** Silence between the end of one exchange and the next frame (RTU t3.5; 0 for Modbus TCP). */
  gapMs: number;
  /**
   * Extra silence after a timeout. RTU has no transaction id: a slow slave's late reply must land
   * (and be dropped) before the next request goes out, or it could be read as that request's reply.
   */
  lateReplyGuardMs: number;
  /** How long to wait for an intact frame behind one that failed its CRC. */
  crcSettleMs: number;
  units: { min: number; max: number };
  logger: BusLogger;
}

/** Ordinary polls; fire-relevant devices use 0 (see RequestOptions.priority). */
export const DEFAULT_PRIORITY = 10;
/** Bytes kept while idle; beyond this the line is noise and the oldest bytes go. */
const MAX_RX_BYTES = 4096;

interface Job {
  req: ModbusRequest;
  opts: RequestOptions;
  resolve(res: ModbusResponse): void;
  reject(err: unknown): void;
}

interface Attempt {
  expect: Expectation;
  garbageBytes: number;
  crcSuspect?: { expected: number; received: number };
  settleTimer?: NodeJS.Timeout;
  finish(err: ModbusError | undefined, res?: ModbusResponse): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The transaction handler of one bus: one request on the wire at a time, taken from a priority
 * queue, each addressed to its own unit, with the inter-frame gap, per-attempt timeout, retries
 * of line trouble, and the counters the device runtime turns into fault events.
 */
export class ModbusMaster implements ModbusBus {
  readonly id: string;
  private readonly queue = new PriorityQueue<Job>();
  private readonly book = new UnitCounterBook();
  private busy = false;
  private closed = false;
  private rx: Buffer = Buffer.alloc(0);
  private attempt: Attempt | undefined;
  private nextSendAt = 0;
  private unsolicited = 0;

  constructor(private readonly s: MasterSettings) {
    this.id = s.id;
    s.link.attach({
      data: (chunk) => this.onData(chunk),
      down: (err) => this.onDown(err),
      up: () => {},
    });
  }

  /** The silence kept between frames on this bus, in ms. */
  get interFrameGapMs(): number {
    return this.s.gapMs;
  }

  async open(): Promise<void> {
    if (this.closed) throw new BusClosedError(this.id);
    try {
      await this.s.link.open();
    } catch (err) {
      throw new BusDisconnectedError(this.id, err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.drain()) job.reject(new BusClosedError(this.id));
    this.attempt?.finish(new BusClosedError(this.id));
    await this.s.link.close();
  }

  request(req: ModbusRequest, opts: RequestOptions = {}): Promise<ModbusResponse> {
    if (this.closed) return Promise.reject(new BusClosedError(this.id));
    try {
      validateRequest(req, this.s.units);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.s.link.connected) return Promise.reject(new BusDisconnectedError(this.id));
    return new Promise<ModbusResponse>((resolve, reject) => {
      this.queue.push({ req, opts, resolve, reject }, opts.priority ?? DEFAULT_PRIORITY);
      // pump() settles every job itself; a failure outside a job (the inter-frame wait) is logged.
      void this.pump().catch((err: unknown) => this.s.logger.error({ bus: this.id, err }, 'request queue stopped unexpectedly'));
    });
  }

  counters(): BusCounters {
    return { perUnit: this.book.snapshot(), unsolicited: this.unsolicited, reconnects: this.s.link.reconnects };
  }

  queueDepth(): number {
    return this.queue.size;
  }

  /** Runs queued jobs one at a time; the next job is chosen only after the gap, so a late alarm poll still goes first. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.closed && this.queue.size > 0) {
        await this.waitForGap();
        const job = this.queue.pop();
        if (job === undefined) break;
        try {
          job.resolve(await this.run(job));
        } catch (err) {
          job.reject(err);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async run(job: Job): Promise<ModbusResponse> {
    const { req, opts } = job;
    const unit = this.book.get(req.unit);
    unit.requests++;
    const retries = opts.retries ?? this.s.retries;
    const timeoutMs = opts.timeoutMs ?? this.s.timeoutMs;
    const pdu = encodeRequestPdu(req);
    const verdict = (reply: Buffer) => decodeResponsePdu(req, reply);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        unit.retries++;
        await this.waitForGap();
      }
      try {
        const res = await this.exchange(req.unit, pdu, verdict, timeoutMs);
        this.book.ok(req.unit);
        return res;
      } catch (err) {
        this.book.failed(req.unit, err);
        if (!isRetryable(err) || attempt >= retries || this.closed) throw err;
      }
    }
  }

  private async waitForGap(): Promise<void> {
    for (;;) {
      const remaining = this.nextSendAt - performance.now();
      if (remaining <= 0) return;
      await sleep(Math.ceil(remaining));
    }
  }

  /** One frame out, one reply (or failure) back. */
  private exchange(
    unit: number,
    pdu: Buffer,
    verdict: Expectation['verdict'],
    timeoutMs: number,
  ): Promise<ModbusResponse> {
    if (this.closed) return Promise.reject(new BusClosedError(this.id));
    if (!this.s.link.connected) return Promise.reject(new BusDisconnectedError(this.id));
    this.flushStale();
    const { adu, expect } = this.s.framing.encode(unit, pdu, verdict);
    return new Promise<ModbusResponse>((resolve, reject) => {
      const timer = setTimeout(() => attempt.finish(new ModbusTimeoutError(unit, timeoutMs)), timeoutMs);
      const attempt: Attempt = {
        expect,
        garbageBytes: 0,
        finish: (err, res) => {
          if (this.attempt !== attempt) return;
          this.attempt = undefined;
          clearTimeout(timer);
          clearTimeout(attempt.settleTimer);
          // A CRC-failed frame followed by silence is a CRC error, not a dead slave.
          if (err instanceof ModbusTimeoutError && attempt.crcSuspect !== undefined) {
            err = new ModbusCrcError(unit, attempt.crcSuspect.expected, attempt.crcSuspect.received);
          }
          this.endAttempt(unit, attempt, err);
          if (err === undefined) resolve(res ?? {});
          else reject(err);
        },
      };
      this.attempt = attempt;
      try {
        this.s.link.write(adu);
      } catch (err) {
        attempt.finish(err instanceof ModbusError ? err : new BusDisconnectedError(this.id, err));
      }
    });
  }

  private endAttempt(unit: number, attempt: Attempt, err: ModbusError | undefined): void {
    const timedOut = err instanceof ModbusTimeoutError;
    this.nextSendAt = performance.now() + this.s.gapMs + (timedOut ? this.s.lateReplyGuardMs : 0);
    if (timedOut || err instanceof ModbusCrcError) {
      // Whatever is left is the tail of the failed exchange: a partial frame or noise.
      attempt.garbageBytes += timedOut ? this.rx.length : 0;
      this.rx = Buffer.alloc(0);
    }
    if (attempt.garbageBytes > 0) {
      if (!(err instanceof ModbusMalformedError)) this.book.garbage(unit);
      this.s.logger.debug({ bus: this.id, unit, bytes: attempt.garbageBytes }, 'garbage on the line');
    }
  }

  private onData(chunk: Buffer): void {
    this.rx = this.rx.length === 0 ? chunk : Buffer.concat([this.rx, chunk]);
    const attempt = this.attempt;
    if (attempt === undefined) {
      if (this.rx.length > MAX_RX_BYTES) {
        this.unsolicited++;
        this.rx = this.rx.subarray(this.rx.length - MAX_RX_BYTES);
      }
      return; // counted when flushed before the next frame
    }
    const scan = this.s.framing.scan(this.rx, attempt.expect);
    this.rx = this.rx.subarray(scan.consumed);
    attempt.garbageBytes += scan.garbageBytes;
    if (scan.staleFrames > 0) {
      this.unsolicited += scan.staleFrames;
      this.s.logger.debug({ bus: this.id, frames: scan.staleFrames }, 'dropped stale frames');
    }
    attempt.crcSuspect ??= scan.crcSuspect;
    const unit = attempt.expect.unit;
    const outcome = scan.outcome;
    if (outcome !== undefined) {
      switch (outcome.kind) {
        case 'ok':
          return attempt.finish(undefined, outcome.response);
        case 'exception':
          return attempt.finish(new ModbusExceptionError(unit, attempt.expect.functionCode, outcome.exceptionCode));
        case 'crc':
          return attempt.finish(new ModbusCrcError(unit, outcome.expected, outcome.received));
        case 'malformed':
          return attempt.finish(new ModbusMalformedError(unit, outcome.detail));
      }
    }
    if (this.rx.length > MAX_RX_BYTES) {
      attempt.garbageBytes += this.rx.length;
      this.rx = Buffer.alloc(0);
    }
    if (attempt.crcSuspect !== undefined && attempt.settleTimer === undefined) {
      const suspect = attempt.crcSuspect;
      attempt.settleTimer = setTimeout(
        () => attempt.finish(new ModbusCrcError(unit, suspect.expected, suspect.received)),
        this.s.crcSettleMs,
      );
    }
  }

  /** Bytes that arrived between exchanges belong to no request: a late reply or noise. */
  private flushStale(): void {
    if (this.rx.length === 0) return;
    this.unsolicited++;
    this.s.logger.debug({ bus: this.id, bytes: this.rx.length, hex: this.rx.subarray(0, 64).toString('hex') }, 'dropped unsolicited bytes');
    this.rx = Buffer.alloc(0);
  }

  private onDown(err?: Error): void {
    this.rx = Buffer.alloc(0);
    this.attempt?.finish(new BusDisconnectedError(this.id, err));
    // Fail fast: nothing queued can be sent until the link is back.
    for (const job of this.queue.drain()) job.reject(new BusDisconnectedError(this.id, err));
  }
}
