/** One sampled value of one point of one device: the contract between driver runtime and rules. */

export type Quality = 'good' | 'stale' | 'bad';
export type PointValue = number | boolean | string;

export interface Reading {
  gatewayId: string;
  deviceId: string;
  point: string;
  value: PointValue;
  unit?: string;
  quality: Quality;
  /** Wall time in ms since the epoch when the value was sampled. Never replaced by "now" later. */
  ts: number;
  /** Whether the wall clock was known to be synchronized (NTP) when `ts` was taken. */
  synced: boolean;
  /** Monotonic ms (process-relative) at sampling; lets unsynced times be corrected later. */
  mono: number;
  /** Gateway-wide sequence number, strictly increasing across restarts. */
  seq: number;
}
