import type { GatewayEvent } from '../model/event.js';
import type { AlarmView } from './desk.js';

/** A condition on the desk as the console and remote commands show it: flat, plain data. */
export interface ActiveAlarm {
  event: GatewayEvent;
  acknowledged?: { at: number; by: string; via?: string };
  silencedUntil?: number;
  silencedBy?: string;
  /** Whether it drives a sounder right now. */
  sounding?: boolean;
  /** The detector restored at this time; shown until acknowledged (a latched fire alarm). */
  clearedAt?: number;
  /** Fire alarms: the receiving centre's confirmation (EN 54-21). */
  receipt?: 'awaited' | 'overdue' | 'confirmed';
}

export function toActiveAlarm(v: AlarmView): ActiveAlarm {
  const a: ActiveAlarm = { event: v.event, sounding: v.sounding };
  if (v.acknowledged !== undefined) a.acknowledged = { at: v.acknowledged.at, by: v.acknowledged.by, via: v.acknowledged.via };
  if (v.silenced !== undefined) {
    a.silencedUntil = v.silenced.until;
    a.silencedBy = v.silenced.by;
  }
  if (v.clearedAt !== undefined) a.clearedAt = v.clearedAt;
  if (v.receipt !== undefined) a.receipt = v.receipt;
  return a;
}
