import type { CommissioningReport, ReportRow, ReportValue } from './commissioning-report.js';
import { locationText, numberText, pick, type Lang } from './people-text.js';

/**
 * The commissioning report as one self-contained page (inline CSS, no scripts) in one language:
 * it reads on a phone (rows become cards) and prints on A4 (repeated table head, rows not split),
 * with every time in the gateway's local time zone and lines for the installer's and the owner's
 * signatures. No identifiers stand alone: names, labels and state names come first.
 */
const TEXT = {
  'zh-CN': {
    title: '调试报告', gateway: '网关', location: '位置', version: '版本', generated: '生成时间', unsynced: '时钟未同步',
    device: '设备', kind: '类型', where: '位置', state: '状态', lastSeen: '最后通信', values: '最近值', testAlarm: '测试报警', walkTest: '巡检测试', output: '输出测试',
    devices: '设备', online: '在线', passed: '测试报警通过', failed: '未通过', notTested: '未测试', walkAlarmed: '巡检已报警', walkMissing: '巡检未报警', outputsTested: '已测试输出',
    walkBy: '巡检测试', walkFrom: '开始', walkTo: '结束', sounders: '声光报警器', soundersOn: '测试时启用', soundersOff: '测试时不启用', noWalk: '未进行巡检测试',
    installer: '安装调试人员签字', owner: '业主（使用单位）签字', date: '日期', zone: '时区',
    kinds: { modbus: '总线设备', contact: '干接点', 'tag-reader': '标签读卡器', output: '输出' },
    states: { online: '在线', offline: '离线', starting: '连接中', disabled: '停用', unknown: '未通信', configured: '已配置' },
    tests: { pass: '通过（平台已确认）', fail: '未通过', pending: '等待平台确认', 'not-tested': '未测试' },
    walks: { alarmed: '已报警', 'not-alarmed': '未报警', 'not-in-test': '—' },
    outputs: { ok: '动作正常', failed: '动作失败', untested: '未测试' },
    maintenance: '定期维护', task: '项目', last: '上次', next: '下次', never: '尚未执行', overdue: '已逾期',
    every: { day: '每天', week: '每周', month: '每月' },
    results: { confirmed: '通过（回读确认）', written: '已执行', not_confirmed: '未通过（回读未确认）', refused: '设备拒绝', busy: '设备忙', no_answer: '设备无应答' },
  },
  en: {
    title: 'Commissioning report', gateway: 'Gateway', location: 'Location', version: 'Version', generated: 'Generated', unsynced: 'clock not synchronized',
    device: 'Device', kind: 'Kind', where: 'Location', state: 'State', lastSeen: 'Last seen', values: 'Last values', testAlarm: 'Test alarm', walkTest: 'Walk test', output: 'Output test',
    devices: 'Devices', online: 'online', passed: 'test alarms passed', failed: 'failed', notTested: 'not tested', walkAlarmed: 'alarmed in walk test', walkMissing: 'did not alarm', outputsTested: 'outputs tested',
    walkBy: 'Walk test by', walkFrom: 'from', walkTo: 'to', sounders: 'Sounders', soundersOn: 'on during the test', soundersOff: 'off during the test', noWalk: 'No walk test was run',
    installer: "Installer's signature", owner: "Owner's signature", date: 'Date', zone: 'Time zone',
    kinds: { modbus: 'Bus device', contact: 'Dry contact', 'tag-reader': 'Tag reader', output: 'Output' },
    states: { online: 'online', offline: 'offline', starting: 'connecting', disabled: 'disabled', unknown: 'not heard from', configured: 'configured' },
    tests: { pass: 'pass (confirmed by the platform)', fail: 'fail', pending: 'waiting for the platform', 'not-tested': 'not tested' },
    walks: { alarmed: 'alarmed', 'not-alarmed': 'did not alarm', 'not-in-test': '—' },
    outputs: { ok: 'switched', failed: 'did not switch', untested: 'not tested' },
    maintenance: 'Maintenance', task: 'Task', last: 'Last run', next: 'Next due', never: 'not run yet', overdue: 'overdue',
    every: { day: 'Daily', week: 'Weekly', month: 'Monthly' },
    results: { confirmed: 'passed (confirmed by read-back)', written: 'done', not_confirmed: 'failed (not confirmed by read-back)', refused: 'refused by the device', busy: 'device busy', no_answer: 'no answer' },
  },
} as const;

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Local wall time with its zone, e.g. 2026/12/05 11:52:03 GMT+8. */
export function localTime(ms: number, lang: Lang, timeZone: string): string {
  return new Intl.DateTimeFormat(lang, {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short',
  }).format(ms);
}

export function valueText(v: ReportValue, lang: Lang): string {
  const label = pick(v.label, lang, v.point);
  let shown: string;
  if (v.state !== undefined) shown = pick(v.state, lang, String(v.value));
  else if (typeof v.value === 'number') shown = numberText(v.value, v.decimals ?? 2) + (v.unit ? ' ' + v.unit : '');
  else if (typeof v.value === 'boolean') shown = lang === 'en' ? (v.value ? 'on' : 'off') : v.value ? '开' : '关';
  else shown = v.value;
  return `${label}: ${shown}`;
}

function row(d: ReportRow, lang: Lang, tz: string): string {
  const T = TEXT[lang];
  const when = (ms: number | undefined) => (ms === undefined ? '' : `<br><small>${esc(localTime(ms, lang, tz))}</small>`);
  const output = d.kind !== 'output' ? '—' : d.outputTest ? (d.outputTest.ok ? T.outputs.ok : T.outputs.failed) + when(d.outputTest.at) : T.outputs.untested;
  const test = d.kind === 'output' ? '—' : esc(T.tests[d.testAlarm]) + when(d.testAlarmAt);
  return `<tr class="t-${esc(d.testAlarm)} w-${esc(d.walkTest)}">
<td data-k="${esc(T.device)}"><b>${esc(d.name ?? d.id)}</b><br><small>${esc(T.kinds[d.kind])}${d.model ? ' · ' + esc(d.model) : ''}${d.bus ? ` · ${esc(d.bus)} #${esc(d.address)}` : ''} · ${esc(d.id)}</small></td>
<td data-k="${esc(T.where)}">${esc(locationText(d.location, lang))}</td>
<td data-k="${esc(T.state)}">${esc(T.states[d.state as keyof typeof T.states] ?? d.state)}${d.lastSeen !== undefined ? `<br><small>${esc(T.lastSeen)} ${esc(localTime(d.lastSeen, lang, tz))}</small>` : ''}</td>
<td data-k="${esc(T.values)}">${d.lastValues.map((v) => esc(valueText(v, lang))).join('<br>') || '—'}</td>
<td data-k="${esc(T.testAlarm)}" class="test">${test}</td>
<td data-k="${esc(T.walkTest)}" class="walk">${esc(T.walks[d.walkTest])}${when(d.walkTestAt)}</td>
<td data-k="${esc(T.output)}">${output}</td></tr>`;
}

/** The scheduled device commands: each with its last result and next due time, overdue ones marked. */
function maintenance(r: CommissioningReport, lang: Lang, tz: string): string {
  if (r.maintenance.length === 0) return '';
  const T = TEXT[lang];
  const name = (id: string) => r.devices.find((d) => d.id === id)?.name ?? id;
  const rows = r.maintenance.map((m) => {
    const last = m.lastRunAt !== undefined ? `${localTime(m.lastRunAt, lang, tz)} · ${T.results[m.lastResult as keyof typeof T.results] ?? m.lastResult}` : T.never;
    return `<tr class="${m.overdue ? 't-fail' : ''}"><td data-k="${esc(T.device)}">${esc(name(m.device))}</td><td data-k="${esc(T.task)}">${esc(T.every[m.every])} ${esc(m.at)} · ${esc(m.commandLabels?.[lang] ?? m.command.replace(/_/g, ' '))}</td><td data-k="${esc(T.last)}" class="test">${esc(last)}${m.overdue ? ` · ${esc(T.overdue)}` : ''}</td><td data-k="${esc(T.next)}">${esc(localTime(m.nextDue, lang, tz))}</td></tr>`;
  });
  return `<h2>${esc(T.maintenance)}</h2>
<table data-testid="maintenance"><thead><tr><th>${esc(T.device)}</th><th>${esc(T.task)}</th><th>${esc(T.last)}</th><th>${esc(T.next)}</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

export function reportHtml(r: CommissioningReport, lang: Lang = 'zh-CN'): string {
  const T = TEXT[lang];
  const s = r.summary;
  const tz = r.timeZone;
  const walk = r.walkTest
    ? `${esc(T.walkBy)} ${esc(r.walkTest.by)}: ${esc(T.walkFrom)} ${esc(localTime(r.walkTest.startedAt, lang, tz))} ${esc(T.walkTo)} ${esc(localTime(r.walkTest.endedAt ?? r.walkTest.endsAt, lang, tz))} · ${esc(T.sounders)} ${esc(r.walkTest.sounders ? T.soundersOn : T.soundersOff)}`
    : esc(T.noWalk);
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(T.title)} ${esc(r.gatewayName ?? r.gatewayId)}</title>
<style>body{font:14px/1.4 system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:1rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #bbb;padding:.3rem .4rem;text-align:left;vertical-align:top}th{background:#eee}small{color:#555}
.t-pass .test,.w-alarmed .walk{color:#1b7a2f;font-weight:600}.t-fail .test,.w-not-alarmed .walk{color:#b3261e;font-weight:600}
.sign{display:grid;grid-template-columns:1fr 1fr;gap:2rem;margin-top:2.5rem}.sign div{border-top:1px solid #222;padding-top:.3rem}
@media (max-width:640px){thead{display:none}table,tbody,tr,td{display:block;width:100%}tr{border:1px solid #bbb;border-radius:.4rem;margin-bottom:.6rem;padding:.3rem}
td{border:0;padding:.15rem .2rem}td::before{content:attr(data-k);display:block;font-size:.75rem;color:#666}.sign{grid-template-columns:1fr}}
@page{size:A4;margin:14mm}@media print{body{margin:0;font-size:10.5pt}thead{display:table-header-group}tr{break-inside:avoid}.sign{break-inside:avoid}}</style></head><body>
<h1>${esc(T.title)}</h1>
<p>${esc(T.gateway)}: <b>${esc(r.gatewayName ?? r.gatewayId)}</b>${r.gatewayName ? ` (${esc(r.gatewayId)})` : ''}<br>
${esc(T.location)}: ${esc(locationText(r.location, lang) || '—')}<br>${esc(T.version)}: ${esc(r.version)}<br>
${esc(T.generated)}: <span data-testid="generated">${esc(localTime(r.generatedAt, lang, tz))}</span> · ${esc(T.zone)} ${esc(tz)}${r.clockSynced ? '' : ` (${esc(T.unsynced)})`}</p>
<p>${esc(T.devices)}: ${s.devices} · ${esc(T.online)}: ${s.online} · ${esc(T.passed)}: ${s.passed} · ${esc(T.failed)}: ${s.failed} · ${esc(T.notTested)}: ${s.notTested}<br>
${esc(T.walkAlarmed)}: ${s.walkAlarmed} · ${esc(T.walkMissing)}: ${s.walkMissing} · ${esc(T.outputsTested)}: ${s.outputsTested}<br>${walk}</p>
<table><thead><tr><th>${esc(T.device)}</th><th>${esc(T.where)}</th><th>${esc(T.state)}</th><th>${esc(T.values)}</th><th>${esc(T.testAlarm)}</th><th>${esc(T.walkTest)}</th><th>${esc(T.output)}</th></tr></thead>
<tbody>
${r.devices.map((d) => row(d, lang, tz)).join('\n')}
</tbody></table>
${maintenance(r, lang, tz)}
<div class="sign"><div>${esc(T.installer)}<br><br>${esc(T.date)}:</div><div>${esc(T.owner)}<br><br>${esc(T.date)}:</div></div>
</body></html>
`;
}
