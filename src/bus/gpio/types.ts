import { HearthError } from '../../errors.js';

/**
 * GPIO access behind one small interface, whatever the kernel offers: sysfs (onoff), the
 * character device (libgpiod tools) or the simulator. Levels are physical (0 = low, 1 = high);
 * contact polarity is applied above this layer, once.
 */

export type Level = 0 | 1;

/** A line by BCM number (the number printed on Pi pinout charts) or by its kernel line name. */
export type LineRef = { bcm: number } | { name: string };

export type Bias = 'pull-up' | 'pull-down' | 'as-is';

/**
 * Whether a requested line still works: a dead `gpiomon`/`gpioset`, a sysfs read or write error.
 * Backends report changes only (never the same state twice in a row); a line starts healthy.
 * While a line is down its level is unknown; the backend keeps trying to bring it back.
 */
export type LineHealth = { ok: true } | { ok: false; code: GpioErrorCode; message: string };

export interface InputOptions {
  bias: Bias;
  onHealth?: (health: LineHealth) => void;
}

export interface OutputOptions {
  onHealth?: (health: LineHealth) => void;
}

export interface InputLine {
  /** Current level (at start, and after the line recovered; otherwise changes arrive as edges). */
  read(): Promise<Level>;
  close(): Promise<void>;
}

export interface OutputLine {
  write(level: Level): Promise<void>;
  close(): Promise<void>;
}

export interface GpioBackend {
  /** `sysfs`, `chardev` or `sim`: shown in logs and `hearth check`. */
  readonly kind: string;
  /**
   * Requests a line as input with edge events on both edges; `onEdge` gets the level after every
   * edge the kernel reports (no polling). Bias where the backend can set it. A failure after the
   * request is reported through `opts.onHealth`, not thrown.
   */
  input(line: LineRef, opts: InputOptions, onEdge: (level: Level) => void): Promise<InputLine>;
  /**
   * Requests a line as output, driven to `initial` immediately. A write that does not reach the
   * line rejects; a line that stops holding its level reports through `opts.onHealth`.
   */
  output(line: LineRef, initial: Level, opts?: OutputOptions): Promise<OutputLine>;
  close(): Promise<void>;
}

export type GpioErrorCode =
  | 'GPIO_UNAVAILABLE'
  | 'GPIO_NO_BASE'
  | 'GPIO_LINE_UNKNOWN'
  | 'GPIO_NAME_UNSUPPORTED'
  | 'GPIO_BUSY'
  | 'GPIO_TOOL_FAILED'
  /** A read, write or edge watch on a requested line failed (sysfs errno in the message). */
  | 'GPIO_IO_FAILED';

export class GpioError extends HearthError {
  constructor(
    code: GpioErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The line a configured input or output names: a BCM `pin` or a kernel line name. */
export function lineRef(cfg: { pin?: number; line?: string }): LineRef {
  return cfg.pin !== undefined ? { bcm: cfg.pin } : { name: cfg.line! };
}

export function lineText(line: LineRef): string {
  return 'bcm' in line ? `BCM ${line.bcm}` : `line "${line.name}"`;
}
