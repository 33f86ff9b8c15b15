import type { GatewayFacade, TestAlarmRecord } from './gateway-facade.js';
import type { Location } from '../model/location.js';

/**
 * The commissioning report an installer hands over: every device with its address, where it is,
 * what it last measured, and whether its test alarm reached the platform. JSON for systems, one
 * printable HTML page for people.
 */
export interface ReportRow {
  id: string;
  name?: string;
  bus: string;
  address: number;
  location: Location;
  state: string;
  lastValues: { point: string; value: number | boolean | string; unit?: string; quality: string }[];
  testAlarm: TestAlarmRecord['result'] | 'not-tested';
  testAlarmAt?: number;
}

export interface CommissioningReport {
  gatewayId: string;
  gatewayName?: string;
  location: Location;
  version: string;
  generatedAt: number;
  clockSynced: boolean;
  devices: ReportRow[];
  summary: { devices: number; online: number; passed: number; failed: number; notTested: number };
}

export function buildReport(gateway: GatewayFacade): CommissioningReport {
  const status = gateway.status();
  const tests = new Map<string, TestAlarmRecord>();
  for (const t of gateway.testAlarms()) {
    const prev = tests.get(t.deviceId);
    if (prev === undefined || t.sentAt >= prev.sentAt) tests.set(t.deviceId, t);
  }
  const devices: ReportRow[] = gateway.devices().map((d) => {
    const t = tests.get(d.id);
    const row: ReportRow = {
      id: d.id,
      bus: d.bus,
      address: d.address,
      location: d.location,
      state: d.state,
      lastValues: Object.entries(d.values).map(([point, v]) => {
        const lv: ReportRow['lastValues'][number] = { point, value: v.value, quality: v.quality };
        if (v.unit !== undefined) lv.unit = v.unit;
        return lv;
      }),
      testAlarm: t?.result ?? 'not-tested',
    };
    if (d.name !== undefined) row.name = d.name;
    if (t !== undefined) row.testAlarmAt = t.sentAt;
    return row;
  });
  const report: CommissioningReport = {
    gatewayId: status.gatewayId,
    location: gateway.location(),
    version: status.version,
    generatedAt: status.clock.now,
    clockSynced: status.clock.synced,
    devices,
    summary: {
      devices: devices.length,
      online: devices.filter((d) => d.state === 'online').length,
      passed: devices.filter((d) => d.testAlarm === 'pass').length,
      failed: devices.filter((d) => d.testAlarm === 'fail').length,
      notTested: devices.filter((d) => d.testAlarm === 'not-tested').length,
    },
  };
  if (status.name !== undefined) report.gatewayName = status.name;
  return report;
}

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const where = (l: Location): string => [l.building, l.floor && `${l.floor}F`, l.room].filter(Boolean).join(' / ');

const RESULT_TEXT: Record<ReportRow['testAlarm'], string> = {
  pass: '通过 pass',
  fail: '未通过 fail',
  pending: '等待确认 pending',
  'not-tested': '未测试 not tested',
};

/** One self-contained printable page (inline CSS only; no scripts). */
export function reportHtml(r: CommissioningReport): string {
  const rows = r.devices
    .map(
      (d) => `<tr class="${esc(d.testAlarm)}"><td>${esc(d.id)}${d.name ? `<br><small>${esc(d.name)}</small>` : ''}</td>` +
        `<td>${esc(d.bus)} #${esc(d.address)}</td><td>${esc(where(d.location))}</td><td>${esc(d.state)}</td>` +
        `<td>${d.lastValues.map((v) => `${esc(v.point)}: ${esc(v.value)}${v.unit ? ' ' + esc(v.unit) : ''}`).join('<br>')}</td>` +
        `<td class="result">${esc(RESULT_TEXT[d.testAlarm])}</td></tr>`,
    )
    .join('\n');
  const s = r.summary;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>调试报告 Commissioning report ${esc(r.gatewayId)}</title>
<style>body{font:14px system-ui,sans-serif;margin:1rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #bbb;padding:.3rem .4rem;text-align:left;vertical-align:top}th{background:#eee}
tr.pass .result{color:#1b7a2f;font-weight:600}tr.fail .result{color:#b3261e;font-weight:600}small{color:#666}
@media print{body{margin:0}}</style></head><body>
<h1>调试报告 Commissioning report</h1>
<p>网关 Gateway: <b>${esc(r.gatewayId)}</b>${r.gatewayName ? ` (${esc(r.gatewayName)})` : ''}<br>
位置 Location: ${esc(where(r.location))}<br>版本 Version: ${esc(r.version)}<br>
生成时间 Generated: ${esc(new Date(r.generatedAt).toISOString())}${r.clockSynced ? '' : ' (时钟未同步 clock not synchronized)'}</p>
<p>设备 Devices: ${s.devices} · 在线 online: ${s.online} · 通过 passed: ${s.passed} · 未通过 failed: ${s.failed} · 未测试 not tested: ${s.notTested}</p>
<table><thead><tr><th>设备 Device</th><th>总线/地址 Bus/address</th><th>位置 Location</th><th>状态 State</th><th>最近值 Last values</th><th>测试报警 Test alarm</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>签字 Installer signature: ____________________ &nbsp; 日期 Date: ____________</p>
</body></html>
`;
}
