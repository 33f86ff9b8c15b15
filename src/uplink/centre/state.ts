import type { FrameReaderStats } from '../gbt26875/index.js';
import type { DutyCheckState } from './duty-check.js';

/** What a monitoring centre's session counted since start. */
export interface CentreCounters {
  /** Frames written (resends not included). */
  framesSent: number;
  /** Frames sent again after no confirm within the timeout (§6.5). */
  resends: number;
  /** Confirms (3) of frames the gateway sent. */
  confirmed: number;
  /** Denies (6) of frames the gateway sent. */
  denied: number;
  /** Outbox records the centre confirmed. */
  recordsDelivered: number;
  /** Outbox records the centre denied: parked for it (kept, retried). */
  recordsParked: number;
  /** Records that mean nothing to the centre (tag events…): done without a frame. */
  recordsSkipped: number;
  /** The centre's reads answered with a reply, and denied (nothing to answer with, or unreadable). */
  readsAnswered: number;
  readsDenied: number;
  /** Controls (89 initialise, 90 clock sync, 91 duty check) confirmed. */
  controls: number;
  /** Frames for another destination address, confirms of unknown serial numbers, commands the gateway does not take. */
  ignored: number;
  /** Frames whose application data could not be read. */
  badUnits: number;
  /** Connections given up after a frame stayed unconfirmed through every resend. */
  confirmTimeouts: number;
}

export function emptyCounters(): CentreCounters {
  return {
    framesSent: 0,
    resends: 0,
    confirmed: 0,
    denied: 0,
    recordsDelivered: 0,
    recordsParked: 0,
    recordsSkipped: 0,
    readsAnswered: 0,
    readsDenied: 0,
    controls: 0,
    ignored: 0,
    badUnits: 0,
    confirmTimeouts: 0,
  };
}

/** A centre's clock sync (control 90) as last received. */
export interface ClockSyncState {
  /** Wall time it arrived (after adoption). */
  at: number;
  /** The centre's time, ms. */
  centreTime: number;
  /** Centre minus gateway, ms, before adoption. */
  offsetMs: number;
  /** Whether the gateway took the centre's time (not when the system clock is synchronized already). */
  applied: boolean;
}

/** One centre's connection as the status API and the console show it. */
export interface CentreState {
  id: string;
  protocol: 'gbt26875';
  host: string;
  port: number;
  connected: boolean;
  connects: number;
  lastConnectAt: number | null;
  lastDisconnectAt: number | null;
  lastError: string | null;
  reconnectAttempts: number;
  nextAttemptInMs: number | null;
  /** Wall time of the centre's last confirm. */
  lastConfirmAt: number | null;
  /** Record packets and frames waiting for confirms. */
  inflight: { records: number; frames: number };
  counters: CentreCounters;
  /** Framing errors and garbage over every connection. */
  reader: FrameReaderStats;
  dutyCheck: DutyCheckState | null;
  clockSync: ClockSyncState | null;
}

export function emptyReaderStats(): FrameReaderStats {
  return { frames: 0, checksumErrors: 0, lengthErrors: 0, endMarkerErrors: 0, garbageBytes: 0, badTimeTags: 0 };
}

/** `a` plus `b`, field by field. */
export function addReaderStats(a: FrameReaderStats, b: FrameReaderStats): FrameReaderStats {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof FrameReaderStats)[]) out[k] += b[k];
  return out;
}
