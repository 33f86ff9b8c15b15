import { Counter, Gauge, type Registry } from 'prom-client';
import type { GatewayFacade } from './gateway-facade.js';

/**
 * Per destination (the platform, each monitoring centre): connected, its own backlog and the age of
 * its oldest unconfirmed record; per monitoring centre, the GB/T 26875.3 session's counters and the
 * framing errors its reader counted. Read from the status at scrape time.
 */
export function registerDestinationMetrics(registry: Registry, gateway: GatewayFacade): void {
  new Gauge({
    name: 'hearth_destination_connected',
    help: '1 while the destination (platform, monitoring centre) is connected',
    labelNames: ['destination', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of gateway.status().destinations) this.set({ destination: d.id, kind: d.kind }, d.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hearth_destination_depth',
    help: 'Records the destination has not confirmed, by priority (parked ones not included)',
    labelNames: ['destination', 'priority'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of gateway.status().destinations) for (const [priority, n] of Object.entries(d.depth)) this.set({ destination: d.id, priority }, n);
    },
  });
  new Gauge({
    name: 'hearth_destination_parked',
    help: 'Records the destination refused for good, set aside for it (kept, retried)',
    labelNames: ['destination'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of gateway.status().destinations) this.set({ destination: d.id }, d.parked);
    },
  });
  new Gauge({
    name: 'hearth_destination_oldest_unsent_age_seconds',
    help: 'Age of the oldest record the destination has not confirmed (0 when none)',
    labelNames: ['destination'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of gateway.status().destinations) this.set({ destination: d.id }, (d.oldestUnsentAgeMs ?? 0) / 1000);
    },
  });
  new Counter({
    name: 'hearth_centre_frames_total',
    help: 'GB/T 26875.3 frames per monitoring centre: sent, resent, confirmed, denied, reads answered/denied, controls, ignored, unreadable',
    labelNames: ['centre', 'what'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of gateway.status().destinations) {
        const c = d.centre?.counters;
        if (c === undefined) continue;
        const counts: Record<string, number> = {
          sent: c.framesSent,
          resent: c.resends,
          confirmed: c.confirmed,
          denied: c.denied,
          read_answered: c.readsAnswered,
          read_denied: c.readsDenied,
          control: c.controls,
          ignored: c.ignored,
          unreadable: c.badUnits,
          confirm_timeout: c.confirmTimeouts,
        };
        for (const [what, n] of Object.entries(counts)) this.inc({ centre: d.id, what }, n);
      }
    },
  });
  new Counter({
    name: 'hearth_centre_framing_errors_total',
    help: "Bytes and frames from a monitoring centre that were not valid frames (checksum, length, end marker, garbage bytes)",
    labelNames: ['centre', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of gateway.status().destinations) {
        const r = d.centre?.reader;
        if (r === undefined) continue;
        this.inc({ centre: d.id, kind: 'checksum' }, r.checksumErrors);
        this.inc({ centre: d.id, kind: 'length' }, r.lengthErrors);
        this.inc({ centre: d.id, kind: 'end_marker' }, r.endMarkerErrors);
        this.inc({ centre: d.id, kind: 'garbage_bytes' }, r.garbageBytes);
      }
    },
  });
}
