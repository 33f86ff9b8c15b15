import type { Condition } from './conditions.js';

/**
 * Where latched alarms (restored at the detector, not yet acknowledged by a person) are kept across
 * a restart, so an alarm that came and went is not forgotten by a reboot. Writes are the store's
 * business: save() never throws and never blocks the alarm path.
 */
export interface LatchStore {
  load(): Condition[];
  save(latched: readonly Condition[]): void;
}

/** Keeps nothing across restarts (tests, tools). */
export const noLatchStore: LatchStore = { load: () => [], save: () => {} };
