/**
 * The scheduler's only access to timers, so tests can drive polling with a manual clock instead of
 * waiting in real time.
 */
/** Opaque: whatever setTimeout returned, handed back to clearTimeout. */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
