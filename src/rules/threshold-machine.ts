import type { ResolvedThreshold } from './thresholds.js';

/**
 * The state machine of one numeric point against its threshold: normal → pending → active → normal.
 * Pure: it sees values and monotonic times and says what changed; the engine turns that into events.
 *
 * - Raise: the value is above `high` (or below `low`) on every sample for at least `onDelayMs`.
 *   A single sample back inside cancels a pending raise, so a brief spike never alarms.
 * - Restore: the value is back inside by `hysteresis` (≤ high − hysteresis, ≥ low + hysteresis),
 *   so a value wobbling around the limit does not chatter.
 * On-delay resolution is the poll interval: the raise happens on the first sample at or after the delay.
 */

export type Side = 'high' | 'low';

export type ThresholdTransition =
  | { type: 'raise'; side: Side; limit: number }
  | { type: 'restore'; side: Side; limit: number };

export type ThresholdPhase =
  | { phase: 'normal' }
  | { phase: 'pending'; side: Side; sinceMono: number }
  | { phase: 'active'; side: Side };

export class ThresholdMachine {
  private current: ThresholdPhase = { phase: 'normal' };

  constructor(readonly threshold: ResolvedThreshold) {}

  get state(): ThresholdPhase {
    return this.current;
  }

  /** Feed one good sample. Returns the transitions it caused (restore, then possibly a new raise). */
  step(value: number, mono: number): ThresholdTransition[] {
    const transitions: ThresholdTransition[] = [];
    const state = this.current;
    if (state.phase === 'active') {
      if (!this.backInside(state.side, value)) return transitions;
      transitions.push({ type: 'restore', side: state.side, limit: this.limit(state.side) });
      this.current = { phase: 'normal' };
      // Fall through: a value that jumped from above `high` to below `low` starts the other side.
    }

    const side = this.violated(value);
    if (side === undefined) {
      this.current = { phase: 'normal' };
      return transitions;
    }
    const now = this.current;
    const sinceMono = now.phase === 'pending' && now.side === side ? now.sinceMono : mono;
    if (mono - sinceMono >= this.threshold.onDelayMs) {
      this.current = { phase: 'active', side };
      transitions.push({ type: 'raise', side, limit: this.limit(side) });
    } else {
      this.current = { phase: 'pending', side, sinceMono };
    }
    return transitions;
  }

  /** Forget a raise still waiting for its on-delay (continuity is unknown, e.g. the device went offline). */
  cancelPending(): void {
    if (this.current.phase === 'pending') this.current = { phase: 'normal' };
  }

  /** The value at which an active alarm on `side` restores. */
  restoreLevel(side: Side): number {
    return side === 'high' ? this.limit(side) - this.threshold.hysteresis : this.limit(side) + this.threshold.hysteresis;
  }

  private violated(value: number): Side | undefined {
    const { high, low } = this.threshold;
    if (high !== undefined && value > high) return 'high';
    if (low !== undefined && value < low) return 'low';
    return undefined;
  }

  private backInside(side: Side, value: number): boolean {
    return side === 'high' ? value <= this.restoreLevel('high') : value >= this.restoreLevel('low');
  }

  private limit(side: Side): number {
    // Only called for a side that is configured: violated() checked it before the state was entered.
    return (side === 'high' ? this.threshold.high : this.threshold.low) as number;
  }
}
