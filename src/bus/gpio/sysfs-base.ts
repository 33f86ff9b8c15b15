import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GpioError } from './types.js';

/**
 * Where the SoC's GPIO lines start in the sysfs numbering. Newer kernels no longer put the main
 * controller at 0 (512 on 6.6+ Raspberry Pi kernels, 571 on some Pi 5 images), so the base is read
 * from /sys/class/gpio/gpiochip<N>/{base,label,ngpio} at run time and never assumed.
 */

export const SYSFS_ROOT = '/sys/class/gpio';

export interface SysfsChip {
  /** Directory name, e.g. gpiochip512. */
  chip: string;
  base: number;
  label: string;
  ngpio: number;
}

/** Labels of the controllers that carry the 40-pin header's BCM-numbered lines. */
const HEADER_LABELS = [/^pinctrl-bcm2835$/, /^pinctrl-bcm2711$/, /^pinctrl-bcm2712$/, /^pinctrl-rp1$/, /^raspberrypi-exp-gpio$/];

export function listSysfsChips(root = SYSFS_ROOT): SysfsChip[] {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return [];
  }
  const chips: SysfsChip[] = [];
  for (const chip of names) {
    try {
      const read = (f: string) => readFileSync(join(root, chip, f), 'utf8').trim();
      chips.push({ chip, base: Number.parseInt(read('base'), 10), label: read('label'), ngpio: Number.parseInt(read('ngpio'), 10) });
    } catch {
      // A chip directory without readable attributes is not one we can use.
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

/**
 * The chip whose lines are the BCM numbers: the one labelled like a Pi pin controller
 * (not the expander), else the single chip there is. `label` overrides the choice.
 */
export function headerChip(chips: readonly SysfsChip[], label?: string): SysfsChip {
  const wanted = label !== undefined ? chips.find((c) => c.label === label) : HEADER_LABELS.slice(0, 4).map((re) => chips.find((c) => re.test(c.label))).find(Boolean);
  const chip = wanted ?? (label === undefined && chips.length === 1 ? chips[0] : undefined);
  if (chip === undefined) {
    const seen = chips.length === 0 ? 'no gpiochip entries' : chips.map((c) => `${c.chip} "${c.label}" base ${c.base}`).join(', ');
    throw new GpioError('GPIO_NO_BASE', `cannot tell which sysfs GPIO chip carries the BCM lines (${seen})${label ? `; no chip labelled "${label}"` : ''}: set gpio.chip to its label`);
  }
  return chip;
}

/** sysfs GPIO number for a BCM line: base of the header chip + BCM number, range-checked. */
export function sysfsNumber(chip: SysfsChip, bcm: number): number {
  if (bcm < 0 || bcm >= chip.ngpio) throw new GpioError('GPIO_LINE_UNKNOWN', `BCM ${bcm} is outside ${chip.chip} "${chip.label}" (${chip.ngpio} lines)`);
  return chip.base + bcm;
}
