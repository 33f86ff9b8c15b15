import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import type { Logger } from '../../log/logger.js';
import { ChardevGpioBackend } from './chardev-backend.js';
import { runTool } from './gpiod-tools.js';
import { SimGpioBackend } from './sim-backend.js';
import { listSysfsChips, SYSFS_ROOT } from './sysfs-base.js';
import { SysfsGpioBackend } from './sysfs-backend.js';
import { GpioError, type GpioBackend } from './types.js';

export type GpioBackendKind = 'auto' | 'sysfs' | 'chardev' | 'sim';

export interface GpioBackendOptions {
  backend: GpioBackendKind;
  chipLabel?: string;
  logger?: Logger;
  /** Injectable for tests: where sysfs GPIO and the character devices live, and the tools' env. */
  sysfsRoot?: string;
  devDir?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Picks the GPIO backend. `auto` prefers the character device (the kernel's supported interface;
 * sysfs GPIO is deprecated and gone on Pi 5 images and Debian trixie), and falls back to sysfs.
 * When neither works the error says what to fix: group membership, a missing package or a
 * disabled interface.
 */
export async function createGpioBackend(opts: GpioBackendOptions): Promise<GpioBackend> {
  const sysfsRoot = opts.sysfsRoot ?? SYSFS_ROOT;
  const devDir = opts.devDir ?? '/dev';
  switch (opts.backend) {
    case 'sim':
      return new SimGpioBackend();
    case 'sysfs':
      return openSysfs(sysfsRoot, opts);
    case 'chardev':
      return ChardevGpioBackend.open(toolOpts(opts));
    case 'auto': {
      const chips = chardevChips(devDir);
      const usable = chips.filter((c) => canUse(`${devDir}/${c}`));
      const tools = await runTool('gpioset', ['--version'], toolOpts(opts)).then(() => true, () => false);
      if (usable.length > 0 && tools) return ChardevGpioBackend.open(toolOpts(opts));
      if (existsSync(`${sysfsRoot}/export`) && listSysfsChips(sysfsRoot).length > 0 && canUse(`${sysfsRoot}/export`)) return openSysfs(sysfsRoot, opts);
      throw new GpioError('GPIO_UNAVAILABLE', noGpioHint({ chips, usable, tools, sysfs: existsSync(`${sysfsRoot}/export`), devDir, sysfsRoot }));
    }
  }
}

function openSysfs(root: string, opts: GpioBackendOptions): SysfsGpioBackend {
  if (!existsSync(`${root}/export`)) {
    throw new GpioError('GPIO_UNAVAILABLE', `${root}/export does not exist: this kernel has no sysfs GPIO; use gpio.backend: chardev (apt install gpiod)`);
  }
  return new SysfsGpioBackend({ root, ...(opts.chipLabel !== undefined ? { chipLabel: opts.chipLabel } : {}) });
}

function toolOpts(opts: GpioBackendOptions) {
  return { ...(opts.env ? { env: opts.env } : {}), ...(opts.chipLabel !== undefined ? { chipLabel: opts.chipLabel } : {}), ...(opts.logger ? { logger: opts.logger } : {}) };
}

function chardevChips(devDir: string): string[] {
  try {
    return readdirSync(devDir).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return [];
  }
}

function canUse(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The one fix that applies, most specific first. */
export function noGpioHint(s: { chips: string[]; usable: string[]; tools: boolean; sysfs: boolean; devDir: string; sysfsRoot: string }): string {
  const lead = 'no usable GPIO interface';
  if (s.chips.length > 0 && s.usable.length === 0) {
    return `${lead}: ${s.devDir}/${s.chips[0]} exists but this user may not open it: add the service user to the gpio group (sudo usermod -aG gpio hearth) and restart`;
  }
  if (s.chips.length > 0 && !s.tools) return `${lead}: ${s.devDir}/${s.chips[0]} exists but the libgpiod tools are missing: sudo apt install gpiod`;
  if (s.sysfs) return `${lead}: ${s.sysfsRoot} exists but has no usable GPIO chip: add the service user to the gpio group`;
  return `${lead}: neither ${s.devDir}/gpiochip* nor ${s.sysfsRoot} exists: GPIO is disabled in this kernel or device tree (on a Pi check config.txt; in a container pass the gpiochip devices through); set gpio.backend: sim to run without GPIO`;
}
