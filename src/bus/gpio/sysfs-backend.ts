import { createRequire } from 'node:module';
import { headerChip, listSysfsChips, sysfsNumber, SYSFS_ROOT, type SysfsChip } from './sysfs-base.js';
import { GpioError, lineText, type GpioBackend, type InputLine, type InputOptions, type Level, type LineHealth, type LineRef, type OutputLine, type OutputOptions } from './types.js';

/**
 * GPIO over the legacy sysfs interface with onoff: edges come from the kernel through epoll
 * (onoff watches the value file), not from polling. sysfs cannot set pull resistors or look lines
 * up by name: wire an external pull resistor (or set it in config.txt) and use BCM numbers.
 */

/** The part of onoff's Gpio this backend uses; tests substitute a fake. */
export interface SysfsPin {
  readSync(): Level;
  writeSync(value: Level): void;
  watch(cb: (err: Error | null | undefined, value: Level) => void): void;
  unwatchAll(): void;
  unexport(): void;
}
export type SysfsPinFactory = (gpio: number, direction: 'in' | 'high' | 'low', edge: 'both' | 'none') => SysfsPin;

export interface SysfsOptions {
  root?: string;
  /** Label of the chip carrying the BCM lines; default: the Pi pin controller. */
  chipLabel?: string;
  pinFactory?: SysfsPinFactory;
}

// onoff (and its epoll binding) is loaded on the first pin, not at start: most gateways never use sysfs.
const require = createRequire(import.meta.url);
const onoffPin: SysfsPinFactory = (gpio, direction, edge) => {
  const { Gpio } = require('onoff') as typeof import('onoff');
  return new Gpio(gpio, direction, edge) as unknown as SysfsPin;
};

export class SysfsGpioBackend implements GpioBackend {
  readonly kind = 'sysfs';
  readonly chip: SysfsChip;
  private readonly pins = new Set<SysfsPin>();
  private readonly factory: SysfsPinFactory;

  constructor(opts: SysfsOptions = {}) {
    this.chip = headerChip(listSysfsChips(opts.root ?? SYSFS_ROOT), opts.chipLabel);
    this.factory = opts.pinFactory ?? onoffPin;
  }

  number(line: LineRef): number {
    if (!('bcm' in line)) {
      throw new GpioError('GPIO_NAME_UNSUPPORTED', `${lineText(line)}: sysfs GPIO has no line names; use a BCM number or gpio.backend: chardev`);
    }
    return sysfsNumber(this.chip, line.bcm);
  }

  async input(line: LineRef, opts: InputOptions, onEdge: (level: Level) => void): Promise<InputLine> {
    const pin = this.open(line, 'in', 'both');
    const health = healthReporter(opts.onHealth);
    const where = `${lineText(line)} (sysfs ${this.number(line)})`;
    pin.watch((err, value) => {
      // onoff reports a failed read of the value file here; the next good value means it is back.
      if (err) return health.failed(`${where}: edge watch failed: ${errnoText(err)}`);
      health.ok();
      onEdge(value);
    });
    return {
      read: async () => {
        try {
          return pin.readSync();
        } catch (err) {
          throw new GpioError('GPIO_IO_FAILED', `${where}: read failed: ${errnoText(err)}`, { cause: err });
        }
      },
      close: async () => this.release(pin),
    };
  }

  async output(line: LineRef, initial: Level, opts: OutputOptions = {}): Promise<OutputLine> {
    // 'high'/'low' set direction and level in one write: no glitch to the wrong level.
    const pin = this.open(line, initial === 1 ? 'high' : 'low', 'none');
    const health = healthReporter(opts.onHealth);
    const where = `${lineText(line)} (sysfs ${this.number(line)})`;
    return {
      write: async (level) => {
        try {
          pin.writeSync(level);
        } catch (err) {
          // Rejects every time it fails: the output layer counts and retries.
          const message = `${where}: write failed: ${errnoText(err)}`;
          health.failed(message);
          throw new GpioError('GPIO_IO_FAILED', message, { cause: err });
        }
        health.ok();
      },
      close: async () => this.release(pin),
    };
  }

  async close(): Promise<void> {
    for (const pin of [...this.pins]) this.release(pin);
  }

  private open(line: LineRef, direction: 'in' | 'high' | 'low', edge: 'both' | 'none'): SysfsPin {
    const n = this.number(line);
    try {
      const pin = this.factory(n, direction, edge);
      this.pins.add(pin);
      return pin;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EBUSY') throw new GpioError('GPIO_BUSY', `${lineText(line)} (sysfs ${n}) is in use by another program or driver`, { cause: err });
      if (code === 'EACCES') throw new GpioError('GPIO_UNAVAILABLE', `${lineText(line)}: no permission on ${SYSFS_ROOT}: add the service user to the gpio group`, { cause: err });
      throw new GpioError('GPIO_UNAVAILABLE', `${lineText(line)} (sysfs ${n}): ${(err as Error).message}`, { cause: err });
    }
  }

  private release(pin: SysfsPin): void {
    if (!this.pins.delete(pin)) return;
    try {
      pin.unwatchAll();
      pin.unexport();
    } catch {
      // Already gone (the kernel released it): nothing left to free.
    }
  }
}

/** Reports changes of a line's health only: one `ok: false` per failure, one `ok: true` after it. */
function healthReporter(onHealth: ((h: LineHealth) => void) | undefined) {
  let ok = true;
  return {
    failed(message: string) {
      if (!ok) return;
      ok = false;
      onHealth?.({ ok: false, code: 'GPIO_IO_FAILED', message });
    },
    ok() {
      if (ok) return;
      ok = true;
      onHealth?.({ ok: true });
    },
  };
}

/** `EIO (input/output error)`: the errno code first, for the fault text. */
function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code !== undefined ? `${e.code} (${e.message})` : String(e?.message ?? err);
}
