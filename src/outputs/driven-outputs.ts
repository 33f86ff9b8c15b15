import type { GpioOutputConfig } from '../config/io-types.js';
import type { OutputCommand } from './output.js';

/** One output as the alarm desk drives it (src/outputs/output.ts LocalOutput implements it). */
export interface DrivenOutput {
  readonly cfg: GpioOutputConfig;
  run(cmd: OutputCommand): void;
  release(owner: string): void;
  readonly current: 'on' | 'off';
}

/**
 * The gateway's outputs by name; undefined from the desk's view before GPIO is started, or without
 * GPIO. Once started it holds every configured output, also one whose line is not usable yet: the
 * demands are kept and driven when the line comes up (src/outputs/outputs.ts).
 */
export interface OutputRegistry {
  get(name: string): DrivenOutput | undefined;
  all(): DrivenOutput[];
}
