import type { EventKind, GatewayEvent } from '../model/event.js';

/** Who did something at the desk, and through which door. */
export interface Actor {
  by: string;
  via: 'console' | 'remote' | 'cli' | 'local';
  role?: string;
  /** Client address or platform session, for the record. */
  from?: string;
}

export interface Acknowledgement {
  at: number;
  by: string;
  via: Actor['via'];
}

export interface Silence {
  until: number;
  by: string;
  via: Actor['via'];
}

/**
 * A condition the desk shows until it is over: an alarm, fault, tamper or offline device. A fire
 * alarm is *latched*: when the detector restores, the condition stays (cleared, not over) until a
 * person acknowledges it, so an alarm that came and went while nobody watched is not missed.
 */
export interface Condition {
  event: GatewayEvent;
  acknowledged?: Acknowledgement;
  silenced?: Silence;
  /** Wall time the source restored; the condition stays only because it is latched. */
  clearedAt?: number;
}

/** Kinds that begin a condition; restores and `online` end them (by `restores`). */
const RAISING: ReadonlySet<EventKind> = new Set(['alarm', 'fault', 'tamper', 'offline']);

export function isRaising(e: GatewayEvent): boolean {
  return RAISING.has(e.kind);
}

export function isFireAlarm(e: Pick<GatewayEvent, 'kind' | 'severity'>): boolean {
  return e.kind === 'alarm' && e.severity === 'fire';
}

/** Conditions that light a fault indicator (EN 54-2's general fault): faults, tamper, devices offline. */
export function isFaultCondition(c: Condition): boolean {
  return c.clearedAt === undefined && (c.event.kind === 'fault' || c.event.kind === 'tamper' || c.event.kind === 'offline');
}

/** The desk's conditions, by the id of the event that raised each. */
export class Conditions {
  private readonly byId = new Map<string, Condition>();

  /** Adds the condition an event raises; returns it. */
  raise(e: GatewayEvent): Condition {
    const c: Condition = { event: e };
    this.byId.set(e.id, c);
    return c;
  }

  /**
   * The source of a condition restored: it is over, unless it latches (a fire alarm nobody
   * acknowledged yet). Returns the condition and whether it stays.
   */
  restore(raisedId: string, at: number): { condition: Condition; stays: boolean } | undefined {
    const c = this.byId.get(raisedId);
    if (c === undefined) return undefined;
    const stays = isFireAlarm(c.event) && c.acknowledged === undefined;
    if (stays) c.clearedAt = at;
    else this.byId.delete(raisedId);
    return { condition: c, stays };
  }

  /** Acknowledged by a person: a latched condition is over with it. Returns whether it is gone. */
  acknowledge(id: string, ack: Acknowledgement): { condition: Condition; gone: boolean } | undefined {
    const c = this.byId.get(id);
    if (c === undefined) return undefined;
    c.acknowledged = ack;
    const gone = c.clearedAt !== undefined;
    if (gone) this.byId.delete(id);
    return { condition: c, gone };
  }

  get(id: string): Condition | undefined {
    return this.byId.get(id);
  }

  /** Newest first is not what a list of alarms needs: a stable order, oldest raised first. */
  list(): Condition[] {
    return [...this.byId.values()];
  }

  /** Puts back conditions kept across a restart (latched alarms). */
  restoreLatched(conditions: readonly Condition[]): void {
    for (const c of conditions) if (!this.byId.has(c.event.id)) this.byId.set(c.event.id, c);
  }
}
