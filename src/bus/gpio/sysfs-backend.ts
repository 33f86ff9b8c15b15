import { createRequire } from 'node:module';
import { headerChip, listSysfsChips, sysfsNumber, SYSFS_ROOT, type SysfsChip } from './sysfs-base.js';
import { GpioError, lineText, type GpioBackend, type InputLine, type Level, type LineRef, type OutputLine } from './types.js';

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

  async input(line: LineRef, _opts: unknown, onEdge: (level: Level) => void): Promise<InputLine> {
    const pin = this.open(line, 'in', 'both');
    pin.watch((err, value) => {
      if (!err) onEdge(value);
    });
    return {
      read: async () => pin.readSync(),
      close: async () => this.release(pin),
    };
  }

  async output(line: LineRef, initial: Level): Promise<OutputLine> {
    // 'high'/'low' set direction and level in one write: no glitch to the wrong level.
    const pin = this.open(line, initial === 1 ? 'high' : 'low', 'none');
    return {
      write: async (level) => pin.writeSync(level),
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
