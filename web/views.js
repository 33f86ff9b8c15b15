// The console's views: each returns HTML for the current state. People see names, labels, state
// names and local times; identifiers only where an installer needs them (bus and address).
'use strict';
window.HEARTH_VIEWS = function (S, can) {
  const T = window.HEARTH_I18N;
  const F = window.HEARTH_FORMAT;
  const esc = (v) => String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const t = (k) => (T[S.lang] && T[S.lang][k]) || T.en[k] || k;
  const fmtTime = (ms) => new Date(ms).toLocaleString(S.lang, { hour12: false });
  const hhmm = (ms) => new Date(ms).toLocaleTimeString(S.lang, { hour12: false, hour: '2-digit', minute: '2-digit' });
  const ago = (ms) => (S.lang === 'en' ? F.durationText(Date.now() - ms, 'en') + ' ago' : F.durationText(Date.now() - ms, 'zh-CN') + '前');
  const where = (l) => F.locationText(l, S.lang);
  const cat = (id) => S.catalogue.find((d) => d.id === id);
  const live = (id) => S.devices.find((d) => d.id === id);
  const point = (id, p) => { const d = cat(id); return d && d.points.find((x) => x.name === p); };
  const pointLabel = (id, p) => F.pick(point(id, p) && point(id, p).labels, S.lang, p);
  const deviceName = (id) => { const d = cat(id); if (d) return d.name || F.humanize(d.id); if (S.status && id === S.status.gatewayId) return t('gateway'); return id; };
  function valueText(id, p, v, unit) {
    const info = point(id, p);
    const state = info && info.states && info.states[String(v)];
    if (state) return F.pick(state, S.lang, String(v));
    if (typeof v === 'boolean') return t(v ? 'value.on' : 'value.off');
    if (typeof v === 'number') return F.numberText(v, info && info.decimals !== undefined ? info.decimals : 2) + ((unit || (info && info.unit)) ? ' ' + (unit || info.unit) : '');
    return String(v);
  }
  const kindText = (e) => (e.test && e.kind === 'alarm' ? t('kind.walkTest') : t('kind.' + e.kind));
  function eventText(e) {
    if (e.kind === 'test') return t('ev.test');
    if (e.kind === 'tag_arrived' || e.kind === 'tag_left') return `${t('ev.tag')} ${e.value !== undefined ? e.value : ''}`;
    if (!e.point) return t('ev.' + (e.kind === 'online' ? 'online' : e.kind === 'offline' ? 'offline' : 'device'));
    let s = pointLabel(e.deviceId, e.point);
    if (e.value !== undefined) s += ': ' + valueText(e.deviceId, e.point, e.value, e.unit);
    if (e.threshold !== undefined) s += ` (${t('ev.limit')} ${valueText(e.deviceId, e.point, e.threshold, e.unit)})`;
    return s;
  }
  function deviceState(id) {
    const alarms = S.alarms.filter((a) => a.event.deviceId === id && !a.clearedAt);
    if (alarms.some((a) => a.event.kind === 'alarm')) return 'alarm';
    const d = live(id), c = cat(id);
    if (d && d.state === 'offline') return 'offline';
    if (alarms.length) return 'fault';
    if (d) return d.state;
    if (c && c.kind === 'output') return 'configured';
    return c && c.lastSeen ? 'online' : 'unknown';
  }
  function valuesOf(id) { const d = live(id); return d ? d.values : ((cat(id) || {}).values || {}); }
  function lastSeen(id) { const d = live(id), c = cat(id); return Math.max((d && d.counters.lastOkAt) || 0, (c && c.lastSeen) || 0) || undefined; }
  function valuesText(id, max) {
    const vals = Object.entries(valuesOf(id)).sort(([, a], [, b]) => (typeof a.value === 'number' ? 0 : 1) - (typeof b.value === 'number' ? 0 : 1)).slice(0, max);
    return vals.map(([p, v]) => `<span data-point="${esc(p)}">${esc(pointLabel(id, p))} <b>${esc(valueText(id, p, v.value, v.unit))}</b></span>`).join(' · ');
  }

  // --- alarm cards: one per device, in the order the devices first alarmed ---------------------
  function alarmCard(id) {
    const list = S.alarms.filter((a) => a.event.deviceId === id);
    const restored = list.every((a) => a.clearedAt || a.event.kind === 'restore');
    const fire = list.some((a) => a.event.kind === 'alarm' && !a.clearedAt);
    const allTest = list.every((a) => a.event.test);
    const cls = restored ? 'c-restored' : allTest ? 'c-test' : fire ? 'c-alarm' : 'c-fault';
    const open = list.filter((a) => !a.acknowledged);
    const acked = list.find((a) => a.acknowledged);
    const ack = open.length ? `<button class="primary" data-action="ack-device" data-id="${esc(id)}" data-testid="ack">${t('alarm.ack')}</button>` :
      `<span class="muted" data-testid="acked">${t('alarm.acked')} · ${esc(acked ? acked.acknowledged.by : '')}</span>`;
    const silencedUntil = Math.max(0, ...list.map((a) => a.silencedUntil || 0));
    const silence = list.some((a) => a.sounding) ? `<button data-action="silence-device" data-id="${esc(id)}" data-testid="silence">${t('alarm.silence')}</button>` :
      silencedUntil ? `<span class="muted" data-testid="silenced">${t('alarm.silenced')} ${esc(hhmm(silencedUntil))}</span>` : '';
    const rows = list.map((a) => {
      const e = a.event;
      const receipt = a.receipt ? ` <span class="receipt r-${esc(a.receipt)}" data-testid="receipt">${esc(t('receipt.' + a.receipt))}</span>` : '';
      const cleared = a.clearedAt ? `<div class="muted" data-testid="latched">${t('alarm.cleared')} ${esc(hhmm(a.clearedAt))}, ${t('alarm.latched')}</div>` : '';
      return `<li class="k-${esc(e.kind)}${a.clearedAt ? ' cleared' : ''}" data-testid="alarm"><b>${esc(kindText(e))}</b> · ${esc(eventText(e))}
        <span class="muted">${esc(hhmm(e.ts))}</span>${receipt}${cleared}</li>`;
    }).join('');
    const test = list.some((a) => a.event.test) ? ` <span class="tag-test">${t('walk.tag')}</span>` : '';
    return `<li class="acard ${cls}" data-testid="alarm-card" data-device="${esc(id)}"><div><b class="aname">${esc(deviceName(id))}</b>${test}
      <div class="muted">${esc(where(list[0].event.location))}</div></div><ul class="apoints">${rows}</ul>
      ${restored ? `<div class="muted">${t('alarm.restoredCard')}</div>` : ''}<div class="row">${ack}${silence}</div></li>`;
  }
  function alarmCards() {
    const ids = S.cardOrder.filter((id) => S.alarms.some((a) => a.event.deviceId === id));
    return ids.length ? `<ul class="cards" data-testid="alarms">${ids.map(alarmCard).join('')}</ul>` : `<p class="muted">${t('alarms.none')}</p>`;
  }

  function banners() {
    const w = S.status && S.status.walkTest;
    if (!S.authed || !w) return '';
    const scope = w.devices ? w.devices.map(deviceName).join(', ') : t('walk.site');
    return `<div data-testid="walk-banner">${t('walk.banner')} · ${esc(scope)} · ${t('walk.until')} ${esc(hhmm(w.endsAt))} · ${t(w.sounders ? 'walk.soundersOn' : 'walk.soundersOff')}</div>`;
  }
  function faultBanner() {
    const s = S.status;
    if (!S.authed || !s || !s.faults) return '';
    const lines = [];
    if (s.receipt && s.receipt.fault) lines.push(t('fault.receipt'));
    if (s.storage && !s.storage.ok) lines.push(t('fault.storage') + (s.storage.held ? ` (${s.storage.held})` : ''));
    for (const f of s.faults) if (f.point !== 'storage' && f.point !== 'alarm-receipt') lines.push(t('fault.other') + ' ' + F.humanize(f.point || f.id));
    return dutyChecks() + lines.map((l) => `<div>${esc(l)}</div>`).join('');
  }
  function dutyChecks() {
    const waiting = ((S.status && S.status.destinations) || []).filter((d) => d.centre && d.centre.dutyCheck && d.centre.dutyCheck.state === 'waiting');
    return waiting.map((d) => {
      const dc = d.centre.dutyCheck;
      const until = dc.deadline ? ` · ${t('duty.until')} ${esc(hhmm(dc.deadline))}` : '';
      return `<div class="duty" data-testid="duty-check" data-centre="${esc(d.id)}">${esc(t('duty.asked'))} ${esc(d.id)}${until}
        ${can('installer') ? `<button data-action="duty-check" data-id="${esc(d.id)}" data-testid="duty-check-answer">${t('duty.answer')}</button>` : ''}</div>`;
    }).join('');
  }
  function destinations() {
    const list = (S.status && S.status.destinations) || [];
    if (list.length < 2) return '';
    return `<section class="card" data-testid="destinations"><h2>${t('dest.title')}</h2><ul class="list">${list.map((d) => {
      const waiting = d.depth.fire + d.depth.events + d.depth.telemetry;
      const dc = d.centre && d.centre.dutyCheck;
      const missed = dc && dc.state === 'missed' ? ` · <span class="err">${t('duty.missed')} ${esc(fmtTime(dc.since))}</span>` : '';
      return `<li data-testid="destination" data-id="${esc(d.id)}" data-connected="${d.connected}"><b>${esc(d.id === 'platform' ? t('dest.platform') : d.id)}</b>
        <span class="badge ${d.connected ? 'up' : 'down'}">${t(d.connected ? 'dest.up' : 'dest.down')}</span>
        <div class="muted">${t('health.outbox')} ${waiting}${d.depth.fire ? ` (${t('dest.fire')} ${d.depth.fire})` : ''}${d.parked ? ` · ${t('dest.parked')} ${d.parked}` : ''}${d.oldestUnsentAgeMs !== null ? ` · ${t('health.oldest')} ${esc(F.durationText(d.oldestUnsentAgeMs, S.lang))}` : ''}${missed}</div></li>`;
    }).join('')}</ul></section>`;
  }
  function overview() {
    const s = S.status;
    if (!s) return '';
    const o = s.outbox;
    const online = S.catalogue.filter((c) => c.kind !== 'output' && deviceState(c.id) !== 'offline' && deviceState(c.id) !== 'unknown').length;
    return `<section class="card"><h2>${t('alarms.title')} (${S.cardOrder.filter((id) => S.alarms.some((a) => a.event.deviceId === id)).length})</h2>${alarmCards()}</section>
      <section class="card" data-testid="health"><h2>${t('health.title')}</h2><dl class="kv">
      <dt>${t('health.version')}</dt><dd>${esc(s.version)}</dd>
      <dt>${t('health.uptime')}</dt><dd>${esc(F.durationText(s.uptimeS * 1000, S.lang))}</dd>
      <dt>${t('health.clock')}</dt><dd>${esc(fmtTime(s.clock.now))} (${s.clock.synced ? t('health.synced') : t('health.unsynced')})</dd>
      <dt>${t('health.devices')}</dt><dd data-testid="online-count">${online} / ${S.catalogue.filter((c) => c.kind !== 'output').length}</dd>
      <dt>${t('health.outbox')}</dt><dd>${o ? o.total : '-'}</dd>
      <dt>${t('health.oldest')}</dt><dd>${o && o.oldestUnsentAgeMs !== null ? esc(F.durationText(o.oldestUnsentAgeMs, S.lang)) : '-'}</dd></dl></section>
      ${destinations()}`;
  }
  function devices() {
    const list = S.catalogue;
    return `<section class="card"><h2>${t('nav.devices')} (${list.length})</h2><ul class="list" data-testid="devices">${list.map((c) => {
      const st = deviceState(c.id), d = live(c.id), seen = lastSeen(c.id);
      const addr = d ? ` · ${esc(d.bus)} #${d.address}` : '';
      return `<li class="s-${st}" data-testid="device" data-device="${esc(c.id)}" data-kind="${esc(c.kind)}"><a class="dev" href="#device/${encodeURIComponent(c.id)}"><span class="dot"></span>
        <span class="grow"><b>${esc(c.name || F.humanize(c.id))}</b> <span class="muted">${esc(t('devkind.' + c.kind))}</span><br><span class="muted">${esc(where(c.location))}${addr}</span>
        <br><span class="vals">${valuesText(c.id, 3)}</span>${seen ? `<br><span class="muted" data-testid="last-seen">${t('device.lastSeen')} ${esc(ago(seen))}</span>` : ''}</span>
        <span class="state">${esc(t('state.' + st))}</span></a></li>`;
    }).join('')}</ul></section>`;
  }
  // A small trend with labelled axes: value range with its unit on the left, times below.
  function chart(samples, id, p) {
    if (samples.length < 2) return `<p class="muted">${t('device.noData')}</p>`;
    const info = point(id, p) || {};
    const xs = samples.map((r) => r.ts), ys = samples.map((r) => r.v);
    const x0 = Math.min(...xs), x1 = Math.max(...xs), lo = Math.min(...ys), hi = Math.max(...ys), span = hi - lo || 1, w = x1 - x0 || 1;
    const X = (ts) => (44 + ((ts - x0) / w) * 268).toFixed(1), Y = (v) => (104 - ((v - lo) / span) * 90).toFixed(1);
    const fmt = (v) => F.numberText(v, info.decimals !== undefined ? info.decimals : 2);
    const unit = info.unit ? ' ' + info.unit : '';
    return `<svg class="chart" viewBox="0 0 320 130" data-testid="chart" role="img" aria-label="${esc(pointLabel(id, p))}">
      <line class="axis" x1="44" y1="10" x2="44" y2="106"/><line class="axis" x1="44" y1="106" x2="314" y2="106"/>
      <text x="40" y="18" text-anchor="end">${esc(fmt(hi))}</text><text x="40" y="106" text-anchor="end">${esc(fmt(lo))}</text>
      <text x="4" y="60">${esc(unit.trim())}</text>
      <text x="44" y="122">${esc(hhmm(x0))}</text><text x="314" y="122" text-anchor="end">${esc(hhmm(x1))}</text>
      <polyline points="${samples.map((r) => X(r.ts) + ',' + Y(r.v)).join(' ')}"/></svg>`;
  }
  function chartSamples(id, p) {
    const trend = (S.trend && S.trend.id === id && S.trend.point === p) ? S.trend.samples : [];
    if (trend.length >= 3) return trend.map((s) => ({ ts: s.ts, v: s.mean }));
    return S.history.filter((r) => r.deviceId === id && r.point === p).map((r) => ({ ts: r.ts, v: r.value }));
  }
  function detail(id) {
    const c = cat(id);
    if (!c) return `<p><a href="#devices">${t('device.back')}</a></p>`;
    const d = live(id), st = deviceState(id), seen = lastSeen(id);
    const numeric = c.points.filter((p) => p.type === 'number').map((p) => p.name);
    const p = S.point && numeric.includes(S.point) ? S.point : numeric[0];
    const test = S.tests.filter((x) => x.deviceId === id).pop();
    const vals = valuesOf(id);
    const rows = c.points.filter((x) => vals[x.name]).map((x) => `<dt>${esc(pointLabel(id, x.name))}</dt><dd data-point="${esc(x.name)}">${esc(valueText(id, x.name, vals[x.name].value, vals[x.name].unit))}${vals[x.name].quality !== 'good' ? ' (' + esc(t('quality.' + vals[x.name].quality)) + ')' : ''}</dd>`).join('');
    return `<p><a href="#devices">← ${t('device.back')}</a></p><section class="card s-${st}" data-testid="device-detail" data-id="${esc(id)}"><h2>${esc(c.name || F.humanize(id))} <span class="state">${esc(t('state.' + st))}</span></h2>
      <dl class="kv"><dt>${t('device.kind')}</dt><dd>${esc(t('devkind.' + c.kind))}${c.model ? ' · ' + esc(c.model) : ''}</dd><dt>${t('device.location')}</dt><dd>${esc(where(c.location))}</dd>
      ${d ? `<dt>${t('device.bus')}</dt><dd>${esc(d.bus)} #${d.address}</dd><dt>${t('device.polls')}</dt><dd>${d.counters.ok} / ${d.counters.polls}</dd>` : ''}
      <dt>${t('device.lastSeen')}</dt><dd>${seen ? esc(ago(seen)) : '-'}</dd>${rows}</dl>
      ${can('installer') && c.kind !== 'output' ? `<div class="row">${d ? `<button data-action="read" data-id="${esc(id)}">${t('device.readNow')}</button>` : ''}
      <button data-action="test-alarm" data-id="${esc(id)}" data-testid="device-test-alarm">${t('device.testAlarm')}</button>
      ${test ? `<span class="${esc(test.result)}" data-testid="device-test-result">${esc(t('result.' + test.result))}</span>` : ''}</div>` : ''}</section>
      ${numeric.length ? `<section class="card"><h2>${t('device.chart')}</h2><select data-action="point" data-testid="chart-point">${numeric.map((n) => `<option value="${esc(n)}"${n === p ? ' selected' : ''}>${esc(pointLabel(id, n))}</option>`).join('')}</select>
      <div id="chart-box" data-device="${esc(id)}" data-point="${esc(p || '')}">${chart(chartSamples(id, p), id, p)}</div></section>` : ''}
      ${S.alarms.some((a) => a.event.deviceId === id) ? `<section class="card"><ul class="cards">${alarmCard(id)}</ul></section>` : ''}
      ${api.commandsSection ? api.commandsSection(id) : ''}`;
  }
  function events() {
    const f = S.evFilter;
    const since = f.hours ? Date.now() - f.hours * 3_600_000 : 0;
    const list = S.events.filter((e) => (!f.kind || e.kind === f.kind) && (!f.device || e.deviceId === f.device) && e.ts >= since);
    const kinds = [...new Set(S.events.map((e) => e.kind))];
    const devs = [...new Set(S.events.map((e) => e.deviceId))];
    const opt = (v, label, cur) => `<option value="${esc(v)}"${String(cur) === String(v) ? ' selected' : ''}>${esc(label)}</option>`;
    return `<section class="card"><h2>${t('events.title')}</h2><form class="filters" data-testid="event-filters">
      <select name="kind" data-action="ev-filter">${opt('', t('filter.allKinds'), f.kind)}${kinds.map((k) => opt(k, t('kind.' + k), f.kind)).join('')}</select>
      <select name="device" data-action="ev-filter">${opt('', t('filter.allDevices'), f.device)}${devs.map((d) => opt(d, deviceName(d), f.device)).join('')}</select>
      <select name="hours" data-action="ev-filter">${[[1, 'filter.1h'], [6, 'filter.6h'], [24, 'filter.24h'], [0, 'filter.all']].map(([h, k]) => opt(h, t(k), f.hours)).join('')}</select></form>
      ${list.length ? `<ul class="list" data-testid="events">${list.map((e) =>
      `<li class="ev k-${esc(e.kind)}" data-testid="event"><b>${esc(kindText(e))}</b> · ${esc(deviceName(e.deviceId))}<div>${esc(eventText(e))}</div><div class="muted">${esc(fmtTime(e.ts))}${e.location ? ' · ' + esc(where(e.location)) : ''}</div></li>`).join('')}</ul>` :
      `<p class="muted">${t('events.none')}</p>`}</section>`;
  }
  const api = { t, esc, fmtTime, hhmm, where, deviceName, pointLabel, valueText, eventText, alarmCard, banners, faultBanner, overview, devices, detail, events, chart, chartSamples };
  return api;
};
