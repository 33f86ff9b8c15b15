import type { GpioOutputConfig } from '../config/io-types.js';
import type { OutputCommand } from '../actions/output.js';

/** One output as the alarm desk drives it (src/actions/output.ts LocalOutput implements it). */
export interface DrivenOutput {
  readonly cfg: GpioOutputConfig;
  run(cmd: OutputCommand): void;
  release(owner: string): void;
  readonly current: 'on' | 'off';
}

/** The gateway's outputs by name; undefined from the desk's view while GPIO is not (yet) available. */
export interface OutputRegistry {
  get(name: string): DrivenOutput | undefined;
  all(): DrivenOutput[];
}
