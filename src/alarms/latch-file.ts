import { join } from 'node:path';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import { SmallState } from '../storage/small-state.js';
import type { Condition } from './conditions.js';
import type { LatchStore } from './latch-store.js';

export const LATCH_FILE = 'alarm-latches.json';

interface LatchData {
  latched: Condition[];
}

/**
 * Latched alarms in `<stateDir>/alarm-latches.json`, through SmallState: written atomically, a file
 * that cannot be read is moved aside with a fault and the desk starts empty; a write that fails is
 * retried and never reaches the alarm path. Read once, synchronously, when the desk is built.
 *
 * A save is taken (copied) at once and written after the current turn of the event loop: the desk
 * saves while it handles an alarm or restore, before the event is committed to the outbox and
 * sent, and the file's serialization, its open and its fsync (which competes with the outbox's)
 * would otherwise stand between the detector and the platform. Saves of one turn are one write.
 */
export function latchFile(stateDir: string, faults: FaultReporter, logger: Logger): LatchStore & { close(): Promise<void> } {
  const state = SmallState.openSync<LatchData>(join(stateDir, LATCH_FILE), { defaults: { latched: [] }, validate, faults, logger });
  let pending: Condition[] | undefined;
  let timer: NodeJS.Immediate | undefined;
  const write = (): void => {
    timer = undefined;
    const latched = pending;
    pending = undefined;
    if (latched !== undefined) {
      void state.update((d) => {
        d.latched = latched;
      });
    }
  };
  return {
    load: () => state.data.latched.map((c) => ({ ...c })),
    save: (latched) => {
      pending = latched.map((c) => ({ ...c }));
      timer ??= setImmediate(write);
    },
    close: async () => {
      if (timer !== undefined) clearImmediate(timer);
      write();
      await state.close();
    },
  };
}

function validate(raw: unknown): LatchData | undefined {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { latched?: unknown }).latched)) return undefined;
  const latched = (raw as { latched: unknown[] }).latched.filter(
    (c): c is Condition => typeof c === 'object' && c !== null && typeof (c as Condition).event?.id === 'string' && typeof (c as Condition).clearedAt === 'number',
  );
  return { latched };
}
