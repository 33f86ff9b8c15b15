import type { UplinkSource } from '../outbox/types.js';

/**
 * Whether fire alarms (`fire`) or any events (`events`: fire alarms and others) wait in the outbox
 * for the platform; parked ones do not count. An outbox that fails to answer counts as waiting:
 * an alarm may be held in memory.
 */
export function outboxWaits(outbox: UplinkSource, what: 'fire' | 'events'): boolean {
  try {
    const { depth } = outbox.stats();
    return what === 'fire' ? depth.fire > 0 : depth.fire + depth.events > 0;
  } catch {
    return true;
  }
}
