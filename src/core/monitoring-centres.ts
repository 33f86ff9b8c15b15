import type { Clock, AdjustableClock } from '../clock/clock.js';
import type { CentreConfig, HearthConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { Reading } from '../model/reading.js';
import { buildGbt26875Site, type Gbt26875DeviceOverride } from '../uplink/gbt26875/index.js';
import { CentreSession, type CentreAuditEntry } from '../uplink/centre/session.js';
import type { CentreState } from '../uplink/centre/state.js';
import type { CentreView } from '../uplink/centre/view.js';
import type { AlarmPath } from './alarm-path.js';

export interface MonitoringCentresOptions {
  config: HearthConfig;
  /** Device id → its profile's kind (the component type follows from it). */
  kinds: ReadonlyMap<string, { kind: string }>;
  path: AlarmPath;
  clock: Clock;
  logger: Logger;
  version: string;
  /** Where the centres' controls and the duty-check answers are recorded. */
  audit?: (entry: CentreAuditEntry) => void;
}

/** The last reading of every point, per device: what a centre's analogue read (63) is answered with. */
class LatestReadings {
  private readonly byDevice = new Map<string, Map<string, Reading>>();

  take(r: Reading): void {
    let points = this.byDevice.get(r.deviceId);
    if (points === undefined) this.byDevice.set(r.deviceId, (points = new Map()));
    points.set(r.point, r);
  }

  of(deviceId: string): Reading[] {
    return [...(this.byDevice.get(deviceId)?.values() ?? [])];
  }
}

/**
 * The gateway's fire remote monitoring centres (config `centres`), each a GB/T 26875.3 session on
 * its own part of the outbox. They see the alarm desk (what is raised, for states and reads), take
 * its acknowledgements and silences as operations, and their confirms of fire alarms are receipts
 * for the desk's receipt watch (EN 54-21: the monitoring centre is the receiving centre).
 */
export class MonitoringCentres {
  private readonly sessions = new Map<string, CentreSession>();
  private readonly latest = new LatestReadings();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly options: MonitoringCentresOptions) {
    const { config, path, clock, logger } = options;
    const view: CentreView = {
      active: () => path.desk.list().filter((c) => c.clearedAt === undefined).map((c) => c.event),
      latest: (deviceId) => this.latest.of(deviceId),
    };
    const adoptable = 'adopt' in clock ? (clock as AdjustableClock) : undefined;
    for (const centre of config.centres) {
      const source = path.store.source(centre.id);
      if (source === undefined) throw new Error(`monitoring centre ${centre.id}: no destination in the outbox`);
      const session = new CentreSession({
        centre,
        source,
        site: buildGbt26875Site(config, options.kinds, { system: centre.system, overrides: overrides(centre) }),
        view,
        now: () => clock.now(),
        version: options.version,
        ...(adoptable ? { adoptTime: (ms: number) => adoptable.adopt(ms) } : {}),
        faults: path.faults,
        receipts: (ids) => path.desk.receiptsConfirmed(ids),
        ...(options.audit ? { audit: options.audit } : {}),
        logger: logger.child({ component: 'centre', centre: centre.id }),
      });
      this.sessions.set(centre.id, session);
    }
  }

  /** Ids of the configured centres. */
  ids(): string[] {
    return [...this.sessions.keys()];
  }

  start(): void {
    if (this.sessions.size === 0) return;
    const { bus } = this.options.path;
    this.unsubscribe.push(
      bus.on('reading', (r) => this.latest.take(r)),
      bus.on('desk', (change) => {
        const deviceId = change.condition.event.deviceId;
        if (change.type === 'acknowledged') this.each((s) => s.reportOperation('acknowledge', deviceId));
        if (change.type === 'silenced') this.each((s) => s.reportOperation('silence'));
      }),
    );
    this.each((s) => s.start());
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.each((s) => s.stop());
  }

  states(): CentreState[] {
    return [...this.sessions.values()].map((s) => s.state());
  }

  /** Someone on site answers centre `id`'s duty check; false when none waits or there is no such centre. */
  answerDutyCheck(id: string, by: string): boolean {
    return this.sessions.get(id)?.answerDutyCheck(by) ?? false;
  }

  private each(fn: (s: CentreSession) => void): void {
    for (const s of this.sessions.values()) fn(s);
  }
}

function overrides(centre: CentreConfig): Record<string, Gbt26875DeviceOverride> {
  const out: Record<string, Gbt26875DeviceOverride> = {};
  for (const [id, o] of Object.entries(centre.devices)) {
    const d: Gbt26875DeviceOverride = {};
    if (o.componentType !== undefined) d.componentType = o.componentType;
    if (o.address !== undefined) d.address = o.address;
    if (o.description !== undefined) d.description = o.description;
    if (o.system !== undefined) d.system = o.system;
    out[id] = d;
  }
  return out;
}

