import type { UploadUnit } from '../gbt26875/index.js';

type OperationUnit = Extract<UploadUnit, { type: 4 | 24 }>;
type SystemOp = Extract<UploadUnit, { type: 4 }>['operations'][number];
type DeviceOp = Extract<UploadUnit, { type: 24 }>['operations'][number];

/** Operation records kept for the centre's reads 64 and 84: the most recent ones, in memory. */
const KEEP = 200;

/**
 * The operations the gateway reported (acknowledge, silence, reset, duty-check answers, tests),
 * so the centre can read them back (§8.3.2.4, §8.3.2.10). Kept in memory: after a restart the
 * centre has them already, each was sent and confirmed.
 */
export class OperationsLog {
  private readonly system: SystemOp[] = [];
  private readonly device: DeviceOp[] = [];

  add(unit: OperationUnit): void {
    if (unit.type === 4) push(this.system, unit.operations);
    else push(this.device, unit.operations);
  }

  /** Up to `count` operations of `system` from `from` on, oldest first. */
  systemOperations(system: { type: number; address: number }, count: number, from: Date): SystemOp[] {
    return this.system.filter((o) => o.system.type === system.type && o.system.address === system.address && o.time >= from).slice(0, count);
  }

  deviceOperations(count: number, from: Date): DeviceOp[] {
    return this.device.filter((o) => o.time >= from).slice(0, count);
  }
}

function push<T>(list: T[], items: readonly T[]): void {
  list.push(...items);
  if (list.length > KEEP) list.splice(0, list.length - KEEP);
}
