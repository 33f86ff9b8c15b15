import { atLeast, type EventKind, type GatewayEvent, type Severity } from '../model/event.js';

/** Which records one destination is meant to receive. */
export interface DestinationRoute {
  /** Destination id (the platform is `platform`). */
  id: string;
  /** Event kinds it receives; every kind when absent. */
  kinds?: readonly EventKind[];
  /** Only events at least this severe; every severity when absent. */
  minSeverity?: Severity;
  /** Whether it receives readings (telemetry). */
  readings: boolean;
}

/** Without configuration the outbox has one destination, the platform, and it receives everything. */
export const PLATFORM_ONLY: readonly DestinationRoute[] = [{ id: 'platform', readings: true }];

/**
 * Decides which destinations each record is for, when it is appended. A record no destination is
 * meant for is not stored at all (nobody would ever confirm it, so nothing would ever delete it).
 */
export class Routes {
  private readonly routes: readonly DestinationRoute[];
  private readonly readingIds: readonly string[];

  constructor(routes: readonly DestinationRoute[]) {
    this.routes = routes;
    this.readingIds = routes.filter((r) => r.readings).map((r) => r.id);
  }

  ids(): string[] {
    return this.routes.map((r) => r.id);
  }

  /** Ids of the destinations this event is for. */
  eventTargets(e: Pick<GatewayEvent, 'kind' | 'severity'>): string[] {
    const ids: string[] = [];
    for (const r of this.routes) {
      if (r.kinds !== undefined && !r.kinds.includes(e.kind)) continue;
      if (r.minSeverity !== undefined && !atLeast(e.severity, r.minSeverity)) continue;
      ids.push(r.id);
    }
    return ids;
  }

  /** Ids of the destinations readings are for. */
  readingTargets(): readonly string[] {
    return this.readingIds;
  }
}

/** The mask of these destinations' bits; ids without a bit are ignored. */
export function maskOf(ids: Iterable<string>, bits: ReadonlyMap<string, number>): number {
  let mask = 0;
  for (const id of ids) {
    const bit = bits.get(id);
    if (bit !== undefined) mask |= 1 << bit;
  }
  return mask;
}
