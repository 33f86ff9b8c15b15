import type { GatewayEvent } from '../model/event.js';
import type { OutboxClock } from './clock-epochs.js';
import type { SalvageSummary } from './salvage-store.js';
import type { Replacement } from './sequence-start.js';

/**
 * Events the outbox raises about itself (device id = the gateway id): telemetry dropped under the
 * quota, storage low or full, a corrupt file moved aside, records the platform keeps refusing.
 * They travel like any other event: committed, never evicted, sent upstream.
 */
export class OutboxNotices {
  constructor(
    private readonly gatewayId: string,
    private readonly clock: OutboxClock,
    private readonly seq: () => number,
  ) {}

  dropped(count: number, fromTs: number, toTs: number, reason: string): GatewayEvent {
    return this.make('dropped', 'minor', `dropped ${count} readings from ${iso(fromTs)} to ${iso(toTs)} (${reason})`, {
      value: count,
    });
  }

  /**
   * The last run stopped without closing the file (a crash, a kill, a power cut) while it kept
   * readings in memory (write-behind): those are lost. How many is not known; `peak`, the most it
   * held at once as of its last commit, is the estimate (`value`).
   */
  unstoredAtStop(peak: number, windowMs: number): GatewayEvent {
    const message = `the gateway stopped without closing its outbox (crash or power cut): readings it held in memory only (taken within ${windowMs} ms before the stop, not yet confirmed) are lost: at most about ${peak}, the most it held at once`;
    return this.make('dropped', 'minor', message, { value: peak, point: 'write-behind' });
  }

  storageLow(freeBytes: number | undefined, floorBytes: number): GatewayEvent {
    const free = freeBytes === undefined ? 'unknown' : `${mib(freeBytes)} MiB`;
    return this.make('fault', 'critical', `outbox storage low: ${free} free (floor ${mib(floorBytes)} MiB); oldest readings are dropped`, {
      point: 'storage',
    });
  }

  storageFull(): GatewayEvent {
    return this.make('fault', 'critical', 'outbox disk full: reserved room released for events; readings are dropped', { point: 'storage' });
  }

  storageRestored(faultId: string): GatewayEvent {
    return this.make('restore', 'info', 'outbox storage has room again', { point: 'storage', restores: faultId });
  }

  movedAside(movedTo: string, reason: string, salvage: SalvageSummary): GatewayEvent {
    const message = `outbox file was unreadable (${reason}); moved aside to ${movedTo}, started a fresh one; ${describeSalvage(salvage)}`;
    return this.make('fault', 'major', message, { point: 'storage', value: salvage.events });
  }

  /**
   * The outbox file was missing, empty or without sequence state although this gateway had handed
   * out sequence numbers (sequence-start.ts): records it held and no destination had confirmed are
   * lost. Point `outbox-replaced`; `value` the mark the sequence continues above.
   */
  replaced(path: string, r: Replacement): GatewayEvent {
    const found = r.found === 'missing' ? 'missing' : r.found === 'empty' ? 'empty (0 bytes)' : 'without sequence state (a different or new file)';
    const had = r.issued === undefined ? "this gateway's sequence mark is lost too" : `this gateway had handed out sequence numbers up to ${r.issued}`;
    const message = `outbox file ${path} was ${found} and ${had}: records it held that were not yet delivered may be lost; started a fresh outbox, sequence numbers continue above ${r.continuesAbove}`;
    return this.make('fault', 'major', message, { point: 'outbox-replaced', value: r.continuesAbove });
  }

  /** `destination` refused records for good (parking.ts); the platform's fault point is `uplink`, a centre's its id. */
  parked(count: number, reason: string, destination: string): GatewayEvent {
    const point = destination === 'platform' ? 'uplink' : `destination:${destination}`;
    return this.make('fault', 'major', `${destination} refused ${count} records (${reason}); kept in the outbox, retried periodically and at the next connection`, {
      point,
      value: count,
    });
  }

  private make(kind: GatewayEvent['kind'], severity: GatewayEvent['severity'], message: string, extra: Partial<GatewayEvent>): GatewayEvent {
    const seq = this.seq();
    return {
      id: `${this.gatewayId}-outbox-${kind}-${seq}`,
      kind,
      severity,
      gatewayId: this.gatewayId,
      deviceId: this.gatewayId,
      message,
      location: {},
      ts: this.clock.now(),
      synced: this.clock.synced(),
      mono: this.clock.mono(),
      seq,
      ...extra,
    };
  }
}

/** "salvaged 180 events; 20 events lost (unreadable); readings are not salvaged (1620 dropped)". */
export function describeSalvage(s: SalvageSummary): string {
  const parts = [s.events === 0 && s.error !== undefined ? 'no events could be read from it' : `salvaged ${s.events} events (sent again with their ids)`];
  if (s.lostEvents > 0) parts.push(`${s.lostExact ? '' : 'at least '}${s.lostEvents} events lost (unreadable)`);
  // Without a readable index the kind of a destroyed record is unknown: say how many there were.
  if (!s.lostExact && s.unreadableIds > 0) parts.push(`${s.unreadableIds} damaged records of unknown kind`);
  if (s.overLimit > 0) parts.push(`${s.overLimit} events over the salvage limit left in the moved-aside file`);
  if (s.incomplete) parts.push('damage too widespread to probe it all');
  parts.push(`readings are not salvaged (${s.readings} dropped)`);
  return parts.join('; ');
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}
