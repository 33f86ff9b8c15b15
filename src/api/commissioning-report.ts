import type { GatewayFacade, MaintenanceRow, TestAlarmRecord } from './gateway-facade.js';
import type { Location } from '../model/location.js';
import type { CataloguePoint, DeviceKind } from './device-catalogue.js';
import type { Labels } from './people-text.js';

/**
 * The commissioning report an installer hands over: every device of every kind (Modbus, dry
 * contacts, tag readers, outputs) with where it is, what it last measured, whether its test alarm
 * reached the platform and whether it alarmed in the walk test; the outputs tested; the gateway's
 * time zone. JSON for systems; one printable page for people (./commissioning-report-html.ts).
 */
export interface ReportValue {
  point: string;
  label: Labels;
  value: number | boolean | string;
  /** The state's name (booleans, enumerations). */
  state?: Labels;
  decimals?: number;
  unit?: string;
  quality: string;
}

/** alarmed: the detector went into alarm during the walk test; not-alarmed: it was in the test and did not; not-in-test. */
export type WalkTestResult = 'alarmed' | 'not-alarmed' | 'not-in-test';

export interface ReportRow {
  id: string;
  name?: string;
  kind: DeviceKind;
  model?: string;
  bus?: string;
  address?: number;
  location: Location;
  state: string;
  lastSeen?: number;
  lastValues: ReportValue[];
  testAlarm: TestAlarmRecord['result'] | 'not-tested';
  testAlarmAt?: number;
  walkTest: WalkTestResult;
  walkTestAt?: number;
  /** Outputs: when the commissioning test switched it, and whether that worked. */
  outputTest?: { at: number; ok: boolean };
}

export interface CommissioningReport {
  gatewayId: string;
  gatewayName?: string;
  location: Location;
  version: string;
  generatedAt: number;
  /** IANA zone of the gateway's local time, e.g. Asia/Shanghai: the page shows times in it. */
  timeZone: string;
  clockSynced: boolean;
  walkTest?: { by: string; startedAt: number; endsAt: number; endedAt?: number; sounders: boolean };
  devices: ReportRow[];
  /** Scheduled device commands (maintenance): the last result of each and when it is next due. */
  maintenance: MaintenanceRow[];
  summary: { devices: number; online: number; passed: number; failed: number; notTested: number; walkAlarmed: number; walkMissing: number; outputsTested: number };
}

/** Which kinds a walk test sets off: detectors and contacts (tag readers and outputs are not detectors). */
const DETECTING: ReadonlySet<DeviceKind> = new Set(['modbus', 'contact']);

export function buildReport(gateway: GatewayFacade): CommissioningReport {
  const status = gateway.status();
  const tests = new Map<string, TestAlarmRecord>();
  for (const t of gateway.testAlarms()) {
    const prev = tests.get(t.deviceId);
    if (prev === undefined || t.sentAt >= prev.sentAt) tests.set(t.deviceId, t);
  }
  const walk = gateway.walkTest();
  const outputs = new Map(gateway.outputTests().map((o) => [o.output, o]));
  const modbus = new Map(gateway.devices().map((d) => [d.id, d]));
  const devices: ReportRow[] = gateway.catalogue().map((c) => {
    const live = modbus.get(c.id);
    const points = new Map<string, CataloguePoint>(c.points.map((p) => [p.name, p]));
    const values = live
      ? Object.entries(live.values).map(([point, v]) => ({ point, value: v.value, quality: v.quality, ...(v.unit !== undefined ? { unit: v.unit } : {}) }))
      : gateway.lastValues(c.id).map((r) => ({ point: r.point, value: r.value, quality: r.quality, ...(r.unit !== undefined ? { unit: r.unit } : {}) }));
    const t = tests.get(c.id);
    const row: ReportRow = {
      id: c.id,
      kind: c.kind,
      location: c.location,
      state: live?.state ?? (gateway.lastSeen(c.id) !== undefined ? 'online' : c.kind === 'output' ? 'configured' : 'unknown'),
      lastValues: values.map((v) => {
        const p = points.get(v.point);
        const out: ReportValue = { ...v, label: p?.labels ?? {} };
        const state = p?.states?.[String(v.value)];
        if (state !== undefined) out.state = state;
        if (p?.decimals !== undefined) out.decimals = p.decimals;
        return out;
      }),
      testAlarm: t?.result ?? 'not-tested',
      walkTest: 'not-in-test',
    };
    if (c.name !== undefined) row.name = c.name;
    if (c.model !== undefined) row.model = c.model;
    if (live) Object.assign(row, { bus: live.bus, address: live.address });
    const seen = gateway.lastSeen(c.id);
    if (seen !== undefined) row.lastSeen = seen;
    if (t !== undefined) row.testAlarmAt = t.sentAt;
    if (walk !== undefined && DETECTING.has(c.kind) && (walk.devices === undefined || walk.devices.includes(c.id))) {
      const hit = walk.hits.find((h) => h.deviceId === c.id);
      row.walkTest = hit ? 'alarmed' : 'not-alarmed';
      if (hit) row.walkTestAt = hit.at;
    }
    const o = outputs.get(c.id);
    if (c.kind === 'output' && o !== undefined) row.outputTest = { at: o.at, ok: o.ok };
    return row;
  });
  const report: CommissioningReport = {
    gatewayId: status.gatewayId,
    location: gateway.location(),
    version: status.version,
    generatedAt: status.clock.now,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    clockSynced: status.clock.synced,
    devices,
    maintenance: gateway.maintenance?.() ?? [],
    summary: {
      devices: devices.length,
      online: devices.filter((d) => d.state === 'online').length,
      passed: devices.filter((d) => d.testAlarm === 'pass').length,
      failed: devices.filter((d) => d.testAlarm === 'fail').length,
      notTested: devices.filter((d) => d.testAlarm === 'not-tested' && d.kind !== 'output').length,
      walkAlarmed: devices.filter((d) => d.walkTest === 'alarmed').length,
      walkMissing: devices.filter((d) => d.walkTest === 'not-alarmed').length,
      outputsTested: devices.filter((d) => d.outputTest !== undefined).length,
    },
  };
  if (walk !== undefined) {
    report.walkTest = { by: walk.by, startedAt: walk.startedAt, endsAt: walk.endsAt, sounders: walk.sounders };
    if (walk.endedAt !== undefined) report.walkTest.endedAt = walk.endedAt;
  }
  if (status.name !== undefined) report.gatewayName = status.name;
  return report;
}
