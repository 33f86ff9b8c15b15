import type { BackoffPolicy } from '../config/types.js';
import { backoffDelay } from '../retry/backoff.js';

/**
 * Delay before the next poll of a device that stopped answering. Exponential so a dead slave costs
 * little bus time (each failed poll can hold the bus for timeout × retries), capped so it is noticed
 * again within `maxMs`, jittered so several dead slaves on one bus do not retry in lockstep.
 *
 * failures = 1 → initial (default: the poll interval), 2 → 2×, 3 → 4×, ... ≤ maxMs, then scaled by a
 * factor in (1 − JITTER, 1]: jitter only shortens, so the cap holds and polls are never later than planned.
 */
export const BACKOFF_JITTER = 0.2;

export function backoffDelayMs(
  consecutiveFailures: number,
  pollIntervalMs: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const initial = Math.max(1, policy.initialMs ?? pollIntervalMs);
  const cap = Math.max(initial, policy.maxMs);
  return Math.round(backoffDelay(consecutiveFailures - 1, { minMs: initial, maxMs: cap, jitter: BACKOFF_JITTER, floorMs: 0 }, random));
}
