import { crc16modbus, withCrc } from './crc16.js';
import { BusDisconnectedError } from './errors.js';
import type { ByteLink, LinkHandlers } from '../links/link.js';
import { silentLogger } from './logger.js';
import { ModbusMaster } from './master.js';
import type { RegisterMap } from './register-map.js';
import { rtuFraming } from './rtu-framing.js';
import { answerPdu } from './slave.js';

/**
 * An in-memory bus over a RegisterMap for unit tests of other stages and for benchmarks. It is the
 * real transaction handler (queue, priorities, retries, counters: ModbusMaster) talking RTU frames
 * to a simulated line, so code tested against it sees exactly the behaviour of a real bus,
 * including the typed errors. Faults are injected on the line: latency, silence, exception
 * replies, corrupted CRCs, garbage, and the link going away.
 */
export interface SimFault {
  /** Only requests to this unit; all units if absent. */
  unit?: number;
  kind: 'timeout' | 'exception' | 'crc' | 'garbage';
  /** For `exception`: the code answered (default 4, server device failure). */
  exceptionCode?: number;
  /** How many requests it affects; forever if absent. */
  times?: number;
}

export interface SimBusOptions {
  id?: string;
  map: RegisterMap;
  /** Reply latency in ms, fixed or per unit. Default 0 (next tick). */
  latencyMs?: number | ((unit: number) => number);
  timeoutMs?: number;
  retries?: number;
}

export interface SimBus extends ModbusMaster {
  /** The simulated line, for injecting faults. */
  readonly line: SimLine;
}

export function createSimBus(opts: SimBusOptions): SimBus {
  const line = new SimLine(opts.map, opts.latencyMs ?? 0);
  const master = new ModbusMaster({
    id: opts.id ?? 'sim',
    framing: rtuFraming,
    link: line,
    timeoutMs: opts.timeoutMs ?? 200,
    retries: opts.retries ?? 0,
    gapMs: 0,
    lateReplyGuardMs: 0,
    crcSettleMs: 1,
    units: { min: 0, max: 255 },
    logger: silentLogger,
  });
  return Object.assign(master, { line });
}

export class SimLine implements ByteLink {
  connected = false;
  reconnects = 0;
  /** Frames the line received, for assertions on what was sent. */
  readonly sent: Buffer[] = [];
  private handlers: LinkHandlers | undefined;
  private faults: SimFault[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private wasUp = false;

  constructor(
    private readonly map: RegisterMap,
    private readonly latencyMs: number | ((unit: number) => number),
  ) {}

  attach(handlers: LinkHandlers): void {
    this.handlers = handlers;
  }

  async open(): Promise<void> {
    this.setConnected(true);
  }

  async close(): Promise<void> {
    this.connected = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  inject(fault: SimFault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Simulates the link dropping (requests fail fast) and coming back (counted as a reconnect). */
  setConnected(up: boolean): void {
    if (up === this.connected) return;
    this.connected = up;
    if (up) {
      if (this.wasUp) this.reconnects++;
      this.wasUp = true;
      this.handlers?.up();
    } else {
      this.handlers?.down(new Error('simulated link loss'));
    }
  }

  write(adu: Buffer): void {
    if (!this.connected) throw new BusDisconnectedError('sim');
    this.sent.push(adu);
    if (adu.length < 4 || crc16modbus(adu, 0, adu.length - 2) !== adu.readUInt16LE(adu.length - 2)) return;
    const unit = adu[0]!;
    const pdu = adu.subarray(1, adu.length - 2);
    const fault = this.takeFault(unit);
    if (fault?.kind === 'timeout') return;
    let reply: Buffer | undefined;
    if (fault?.kind === 'exception') reply = Buffer.from([pdu[0]! | 0x80, fault.exceptionCode ?? 0x04]);
    else reply = answerPdu(this.map, unit, pdu);
    if (reply === undefined) return; // no such unit: silence, like a dead slave
    let frame = withCrc(Buffer.concat([Buffer.from([unit]), reply]));
    if (fault?.kind === 'crc') frame[frame.length - 1]! ^= 0xff;
    if (fault?.kind === 'garbage') frame = Buffer.concat([Buffer.from([0xff, 0x00, 0xaa]), frame]);
    const delay = typeof this.latencyMs === 'function' ? this.latencyMs(unit) : this.latencyMs;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.connected) this.handlers?.data(frame);
    }, delay);
    this.timers.add(timer);
  }

  private takeFault(unit: number): SimFault | undefined {
    const i = this.faults.findIndex((f) => f.unit === undefined || f.unit === unit);
    if (i < 0) return undefined;
    const fault = this.faults[i]!;
    if (fault.times !== undefined && --fault.times <= 0) this.faults.splice(i, 1);
    return fault;
  }
}
