/**
 * The Modbus bus as the rest of the gateway sees it: one request at a time, each addressed to a
 * unit, with typed failures. Implementations: RTU over a serial port, RTU over TCP, Modbus TCP,
 * and an in-memory simulator for tests and benchmarks. Drivers depend on this interface only.
 */

export type ModbusArea = 'holding' | 'input' | 'coil' | 'discrete';

export type ModbusRequest =
  | { op: 'read'; unit: number; area: ModbusArea; address: number; count: number }
  | { op: 'writeRegister'; unit: number; address: number; value: number }
  | { op: 'writeRegisters'; unit: number; address: number; values: number[] }
  | { op: 'writeCoil'; unit: number; address: number; value: boolean }
  | { op: 'writeCoils'; unit: number; address: number; values: boolean[] };

export interface ModbusResponse {
  /** 16-bit register words for holding/input reads. */
  registers?: number[];
  /** Bits for coil/discrete reads (exactly `count` entries). */
  bits?: boolean[];
}

export interface RequestOptions {
  /** Lower runs first. Alarms-first polling: 0 for fire-relevant devices, 10 for ordinary polls. */
  priority?: number;
  /** Override the bus's timeout for this request (e.g. a bus scan uses a short one). */
  timeoutMs?: number;
  /** Override the bus's retries for this request. */
  retries?: number;
}

/** Per-unit counters, kept by the bus and read by the device runtime, API and metrics. */
export interface UnitCounters {
  requests: number;
  responses: number;
  timeouts: number;
  crcErrors: number;
  exceptions: number;
  /** Frames or bytes that could not be parsed (garbage on the line). */
  malformed: number;
  retries: number;
  lastError?: string;
  lastOkAt?: number;
}

export interface BusCounters {
  perUnit: Map<number, UnitCounters>;
  /** Bytes/frames that belong to no request (noise, late replies from timed-out requests). */
  unsolicited: number;
  reconnects: number;
}

export interface ModbusBus {
  readonly id: string;
  /** Opens the port/socket. Resolves when usable; a TCP bus keeps reconnecting in the background. */
  open(): Promise<void>;
  /** Rejects queued requests with BusClosedError and releases the port. */
  close(): Promise<void>;
  /** Queue one request; resolves with the reply or rejects with a ModbusError subclass. */
  request(req: ModbusRequest, opts?: RequestOptions): Promise<ModbusResponse>;
  counters(): BusCounters;
  /** Requests waiting (not counting the one on the wire). */
  queueDepth(): number;
}
