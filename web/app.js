// hearth installer console: one small script, no framework. State lives in `S`; every change
// calls render(), which rebuilds the current view from it. Live updates come over SSE (/api/live).
'use strict';
(function () {
  const T = window.HEARTH_I18N;
  const S = { lang: localStorage.getItem('hearth.lang') || 'zh-CN', authed: false, status: null, devices: [], alarms: [], events: [],
    buses: [], outputs: [], tests: [], scan: null, detail: null, history: [], point: null, msg: '', me: null, audit: [] };
  const $ = (sel) => document.querySelector(sel);
  const esc = (v) => String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const t = (k) => (T[S.lang] && T[S.lang][k]) || T.en[k] || k;
  const fmtTime = (ms) => new Date(ms).toLocaleString(S.lang, { hour12: false });
  const fmtVal = (v) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2).replace(/\.?0+$/, '')) : String(v));
  const where = (l) => [l.building, l.floor && l.floor + (S.lang === 'en' ? 'F' : '层'), l.room].filter(Boolean).join(' / ');
  // What the signed-in role may use (the gateway enforces it; the console only hides what would be refused).
  const ROLES = ['viewer', 'installer', 'administrator'];
  const can = (role) => !!S.me && ROLES.indexOf(S.me.role) >= ROLES.indexOf(role);
  let es = null;
  let pending = 0;

  async function api(method, url, body) {
    const res = await fetch(url, { method, credentials: 'same-origin', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (res.status === 401 && url !== '/api/login') { S.authed = false; stopLive(); render(); throw new Error('401'); }
    const data = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
    if (!res.ok) { const e = new Error((data && data.message) || res.statusText); e.status = res.status; e.code = data && data.code; throw e; }
    return data;
  }

  // --- loading --------------------------------------------------------------------------------
  async function loadAll() {
    S.me = await api('GET', '/api/me');
    const none = Promise.resolve([]);
    const [status, devices, alarms, events, outputs, buses, tests, audit] = await Promise.all([
      api('GET', '/api/status'), api('GET', '/api/devices'), api('GET', '/api/alarms'), api('GET', '/api/events?limit=100'), api('GET', '/api/outputs'),
      can('installer') ? api('GET', '/api/buses') : none, can('installer') ? api('GET', '/api/test-alarms') : none,
      can('administrator') ? api('GET', '/api/audit?limit=50') : none]);
    Object.assign(S, { status, devices, alarms, events, buses, outputs, tests, audit, authed: true });
    render();
  }
  async function refresh() {
    try {
      const [status, devices, alarms, audit] = await Promise.all([api('GET', '/api/status'), api('GET', '/api/devices'), api('GET', '/api/alarms'),
        can('administrator') ? api('GET', '/api/audit?limit=50') : Promise.resolve([])]);
      Object.assign(S, { status, devices, alarms, audit });
      render();
    } catch (e) { /* shown by the next render */ }
  }
  function soon() { clearTimeout(pending); pending = setTimeout(refresh, 150); }

  function startLive() {
    if (es) return;
    es = new EventSource('/api/live');
    es.addEventListener('open', soon);
    es.addEventListener('reading', (m) => {
      const r = JSON.parse(m.data).reading;
      const d = S.devices.find((x) => x.id === r.deviceId);
      if (d) d.values[r.point] = { value: r.value, unit: r.unit, quality: r.quality, ts: r.ts };
      if (S.detail && S.detail.id === r.deviceId && typeof r.value === 'number') { S.history.push(r); if (S.history.length > 300) S.history.shift(); }
      patchReading(r);
    });
    es.addEventListener('event', (m) => { S.events.unshift(JSON.parse(m.data).event); S.events.length = Math.min(S.events.length, 200); soon(); });
    es.addEventListener('alarm', soon);
    es.addEventListener('scan', (m) => { const job = JSON.parse(m.data).job; if (!S.scan || S.scan.id === job.id) { S.scan = job; schedule(); } });
    es.addEventListener('test-alarm', (m) => {
      const rec = JSON.parse(m.data).record; const i = S.tests.findIndex((x) => x.eventId === rec.eventId);
      if (i >= 0) S.tests[i] = rec; else S.tests.push(rec); schedule();
    });
  }
  // Readings change text in place: rebuilding the view several times a second would swallow taps
  // (a tap whose press and release land on two different copies of a button is no click).
  function patchReading(r) {
    if (typeof r.value !== 'number' && typeof r.value !== 'boolean') return;
    const text = fmtVal(r.value);
    document.querySelectorAll(`[data-device="${CSS.escape(r.deviceId)}"] [data-point="${CSS.escape(r.point)}"] b`).forEach((b) => { b.textContent = text; });
    const dd = document.querySelector(`[data-testid=device-detail][data-id="${CSS.escape(r.deviceId)}"] dd[data-point="${CSS.escape(r.point)}"]`);
    if (dd) dd.textContent = text + (r.unit ? ' ' + r.unit : '') + (r.quality !== 'good' ? ' (' + r.quality + ')' : '');
    const box = document.getElementById('chart-box');
    if (box && box.dataset.device === r.deviceId && box.dataset.point === r.point) box.innerHTML = chart(S.history.filter((x) => x.point === r.point));
  }
  function stopLive() { if (es) { es.close(); es = null; } }
  let frame = 0;
  let lastView = '';
  function schedule() { if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); }); }

  // --- views ----------------------------------------------------------------------------------
  function deviceState(d) {
    const alarms = d.alarms || [];
    if (alarms.some((a) => a.event.kind === 'alarm')) return 'alarm';
    if (d.state === 'offline') return 'offline';
    if (alarms.length) return 'fault';
    return d.state;
  }
  function valuesText(d, max) {
    return Object.entries(d.values).filter(([, v]) => typeof v.value === 'number').slice(0, max)
      .map(([p, v]) => `<span data-point="${esc(p)}">${esc(p)} <b>${esc(fmtVal(v.value))}</b>${v.unit ? ' ' + esc(v.unit) : ''}</span>`).join(' · ');
  }
  function alarmItem(a) {
    const e = a.event;
    const acked = a.acknowledged ? `<span class="muted" data-testid="acked">${t('alarm.acked')} · ${esc(a.acknowledged.by)}</span>` :
      `<button data-action="ack" data-id="${esc(e.id)}" data-testid="ack">${t('alarm.ack')}</button>`;
    const silenced = a.silencedUntil ? `<span class="muted" data-testid="silenced">${t('alarm.silenced')} ${esc(fmtTime(a.silencedUntil))}</span>` :
      a.sounding ? `<button data-action="silence" data-id="${esc(e.id)}" data-testid="silence">${t('alarm.silence')}</button>` : '';
    const cleared = a.clearedAt ? `<div class="muted" data-testid="latched">${t('alarm.cleared')} ${esc(fmtTime(a.clearedAt))} · ${t('alarm.latched')}</div>` : '';
    const receipt = a.receipt ? `<span class="receipt r-${esc(a.receipt)}" data-testid="receipt">${esc(t('receipt.' + a.receipt))}</span>` : '';
    return `<li class="alarm k-${esc(e.kind)}${a.clearedAt ? ' cleared' : ''}" data-testid="alarm"><b>${esc(t('kind.' + e.kind))}</b> · ${esc(e.deviceId)} · ${esc(where(e.location))} ${receipt}
      <div class="muted">${esc(e.message)} · ${esc(fmtTime(e.ts))}</div>${cleared}<div class="row">${acked}${silenced}</div></li>`;
  }
  // Faults of the gateway itself (storage, receipts, lines): shown on every page until they clear.
  function faultBanner() {
    const s = S.status;
    if (!S.authed || !s || !s.faults) return '';
    const lines = [];
    if (s.receipt && s.receipt.fault) lines.push(t('fault.receipt'));
    if (s.storage && !s.storage.ok) lines.push(t('fault.storage') + (s.storage.held ? ` (${s.storage.held})` : ''));
    for (const f of s.faults) if (f.point !== 'storage' && f.point !== 'alarm-receipt') lines.push(f.message);
    return dutyChecks() + lines.map((l) => `<div>${esc(l)}</div>`).join('');
  }
  // A monitoring centre asks whether someone is on duty (查岗): shown on every page until answered.
  function dutyChecks() {
    const waiting = ((S.status && S.status.destinations) || []).filter((d) => d.centre && d.centre.dutyCheck && d.centre.dutyCheck.state === 'waiting');
    return waiting.map((d) => {
      const dc = d.centre.dutyCheck;
      const until = dc.deadline ? ` · ${t('duty.until')} ${esc(fmtTime(dc.deadline))}` : '';
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
        <div class="muted">${t('health.outbox')} ${waiting}${d.depth.fire ? ` (${t('dest.fire')} ${d.depth.fire})` : ''}${d.parked ? ` · ${t('dest.parked')} ${d.parked}` : ''}${d.oldestUnsentAgeMs !== null ? ` · ${t('health.oldest')} ${Math.round(d.oldestUnsentAgeMs / 1000)} s` : ''}${missed}</div></li>`;
    }).join('')}</ul></section>`;
  }
  function overview() {
    const s = S.status;
    if (!s) return '';
    const o = s.outbox;
    return `<section class="card" data-testid="health"><h2>${t('health.title')}</h2><dl class="kv">
      <dt>${t('health.version')}</dt><dd>${esc(s.version)}</dd>
      <dt>${t('health.uptime')}</dt><dd>${esc(Math.floor(s.uptimeS / 3600))} h ${esc(Math.floor((s.uptimeS % 3600) / 60))} min</dd>
      <dt>${t('health.clock')}</dt><dd>${esc(fmtTime(s.clock.now))} (${s.clock.synced ? t('health.synced') : t('health.unsynced')})</dd>
      <dt>${t('health.devices')}</dt><dd data-testid="online-count">${s.devices.online} / ${s.devices.total}</dd>
      <dt>${t('health.outbox')}</dt><dd>${o ? o.total : '-'}</dd>
      <dt>${t('health.oldest')}</dt><dd>${o && o.oldestUnsentAgeMs !== null ? Math.round(o.oldestUnsentAgeMs / 1000) + ' s' : '-'}</dd></dl></section>
      ${destinations()}
      <section class="card"><h2>${t('alarms.title')} (${S.alarms.length})</h2>
      ${S.alarms.length ? `<ul class="list" data-testid="alarms">${S.alarms.map(alarmItem).join('')}</ul>` : `<p class="muted">${t('alarms.none')}</p>`}</section>`;
  }
  function devices() {
    return `<section class="card"><h2>${t('nav.devices')} (${S.devices.length})</h2><ul class="list" data-testid="devices">${S.devices.map((d) => {
      const st = deviceState(d);
      return `<li class="s-${st}" data-testid="device" data-device="${esc(d.id)}"><a class="dev" href="#device/${encodeURIComponent(d.id)}"><span class="dot"></span>
        <span class="grow"><b>${esc(d.name || d.id)}</b><br><span class="muted">${esc(where(d.location))} · ${esc(d.bus)} #${d.address}</span>
        <br><span class="vals">${valuesText(d, 3)}</span></span><span class="state">${esc(t('state.' + st))}</span></a></li>`;
    }).join('')}</ul></section>`;
  }
  function chart(points) {
    if (points.length < 2) return `<p class="muted">${t('device.noData')}</p>`;
    const xs = points.map((r) => r.ts), ys = points.map((r) => r.value);
    const x0 = Math.min(...xs), x1 = Math.max(...xs) || x0 + 1, lo = Math.min(...ys), hi = Math.max(...ys);
    const span = hi - lo || 1;
    const pts = points.map((r) => `${(((r.ts - x0) / (x1 - x0 || 1)) * 300).toFixed(1)},${(95 - ((r.value - lo) / span) * 85).toFixed(1)}`).join(' ');
    return `<svg class="chart" viewBox="0 0 300 100" preserveAspectRatio="none" data-testid="chart"><polyline points="${pts}"/></svg>
      <div class="row muted"><span>min ${esc(fmtVal(lo))}</span><span>max ${esc(fmtVal(hi))}</span></div>`;
  }
  function detail(id) {
    const d = S.devices.find((x) => x.id === id);
    if (!d) return `<p><a href="#devices">${t('device.back')}</a></p>`;
    const st = deviceState(d);
    const numeric = Object.keys(d.values).filter((p) => typeof d.values[p].value === 'number');
    const point = S.point && numeric.includes(S.point) ? S.point : numeric[0];
    const errs = Object.entries(d.counters.errorsByCode).map(([k, n]) => `${esc(k)}: ${n}`).join(', ') || '0';
    const test = S.tests.filter((x) => x.deviceId === d.id).pop();
    return `<p><a href="#devices">← ${t('device.back')}</a></p><section class="card s-${st}" data-testid="device-detail" data-id="${esc(d.id)}"><h2>${esc(d.name || d.id)} <span class="state">${esc(t('state.' + st))}</span></h2>
      <dl class="kv"><dt>${t('device.location')}</dt><dd>${esc(where(d.location))}</dd><dt>${t('device.bus')}</dt><dd>${esc(d.bus)}</dd>
      <dt>${t('device.address')}</dt><dd>${d.address}</dd><dt>${t('device.polls')}</dt><dd>${d.counters.ok} / ${d.counters.polls}</dd><dt>${t('device.errors')}</dt><dd>${errs}</dd>
      ${Object.entries(d.values).map(([p, v]) => `<dt>${esc(p)}</dt><dd data-point="${esc(p)}">${esc(fmtVal(v.value))}${v.unit ? ' ' + esc(v.unit) : ''}${v.quality !== 'good' ? ' (' + esc(v.quality) + ')' : ''}</dd>`).join('')}</dl>
      ${can('installer') ? `<div class="row"><button data-action="read" data-id="${esc(d.id)}">${t('device.readNow')}</button>
      <button data-action="test-alarm" data-id="${esc(d.id)}" data-testid="device-test-alarm">${t('device.testAlarm')}</button>
      ${test ? `<span class="${esc(test.result)}">${esc(t('result.' + test.result))}</span>` : ''}</div>` : ''}</section>
      <section class="card"><h2>${t('device.chart')}</h2><select data-action="point">${numeric.map((p) => `<option${p === point ? ' selected' : ''}>${esc(p)}</option>`).join('')}</select>
      <div id="chart-box" data-device="${esc(d.id)}" data-point="${esc(point || '')}">${chart(S.history.filter((r) => r.point === point))}</div></section>
      ${(d.alarms || []).length ? `<section class="card"><ul class="list">${d.alarms.map(alarmItem).join('')}</ul></section>` : ''}`;
  }
  function events() {
    return `<section class="card"><h2>${t('events.title')}</h2>${S.events.length ? `<ul class="list" data-testid="events">${S.events.map((e) =>
      `<li class="alarm k-${esc(e.kind)}"><b>${esc(t('kind.' + e.kind))}</b> · ${esc(e.deviceId)}<div class="muted">${esc(e.message)} · ${esc(fmtTime(e.ts))}</div></li>`).join('')}</ul>` :
      `<p class="muted">${t('events.none')}</p>`}</section>`;
  }
  function scanState(job) {
    if (!job) return '';
    const found = job.found.map((h) => `${t('scan.unit')} ${h.unit}${h.baudRate ? ' @' + h.baudRate : ''}`).join(', ') || (job.state === 'running' ? '' : t('scan.none'));
    return `<div data-testid="scan-state" data-state="${esc(job.state)}"><progress max="${job.progress.total}" value="${job.progress.done}"></progress>
      <p>${t('scan.' + job.state)} ${job.progress.done}/${job.progress.total}${job.error ? ` <span class="err">${esc(job.error)}</span>` : ''}</p>
      <p><b>${t('scan.found')}:</b> <span data-testid="scan-found">${found}</span></p></div>`;
  }
  // Who is signed in, and the way out: on the tools page for every role.
  function account() {
    return `<section class="card" data-testid="account"><p>${t('me.signedIn')} <b data-testid="me-user">${esc(S.me ? S.me.user : '')}</b>
      · <span data-testid="me-role">${esc(S.me ? t('role.' + S.me.role) : '')}</span></p><div class="row"><button data-action="logout">${t('logout')}</button></div></section>`;
  }
  // The newest audit entries, for administrators: who did what, when, from where.
  function auditCard() {
    if (!can('administrator')) return '';
    return `<section class="card" data-testid="audit"><h2>${t('audit.title')}</h2>${S.audit.length ? `<ul class="list">${S.audit.map((e) =>
      `<li data-testid="audit-entry"><b>${esc(e.user || e.by)}</b>${e.role ? ` (${esc(t('role.' + e.role))})` : ''} · ${esc(e.command)}
      <span class="${e.outcome === 'done' ? 'pass' : 'fail'}">${esc(t('audit.' + e.outcome))}${e.outcome === 'done' ? '' : ' ' + esc(e.code)}</span>
      <div class="muted">${esc(fmtTime(e.at))}${e.from ? ' · ' + esc(e.from) : ''}${e.via ? ' · ' + esc(e.via) : ''}</div></li>`).join('')}</ul>` :
      `<p class="muted">${t('audit.none')}</p>`}</section>`;
  }
  function tools() {
    if (!can('installer')) return `<section class="card"><h2>${t('outputs.list')}</h2>${S.outputs.length ? `<ul class="list">${S.outputs.map((o) =>
      `<li>${esc(o.name || o.id)}</li>`).join('')}</ul>` : `<p class="muted" data-testid="no-outputs">${t('outputs.none')}</p>`}</section>${account()}`;
    const job = S.scan;
    const bus = S.buses.find((b) => b.id === ($('#scan-bus') || {}).value) || S.buses[0];
    const bauds = [2400, 4800, 9600, 19200, 38400, 115200];
    return `<section class="card"><h2>${t('tools.testAlarm')}</h2><button class="primary" data-action="test-alarm" data-testid="gateway-test-alarm">${t('tools.testGateway')}</button>
      ${S.tests.length ? `<h2 style="margin-top:.7rem">${t('tools.results')}</h2><ul class="list" data-testid="test-results">${S.tests.slice(-8).reverse().map((x) =>
        `<li>${esc(x.deviceId)} · ${esc(fmtTime(x.sentAt))} · <span class="${esc(x.result)}">${esc(t('result.' + x.result))}</span></li>`).join('')}</ul>` : ''}</section>
      <section class="card"><h2>${t('scan.title')}</h2><form data-action="scan" data-testid="scan-form">
      <label>${t('scan.bus')} <select id="scan-bus" name="bus">${S.buses.map((b) => `<option value="${esc(b.id)}"${bus && b.id === bus.id ? ' selected' : ''}>${esc(b.id)} (${esc(b.type)})</option>`).join('')}</select></label>
      <div class="grid2"><label>${t('scan.from')} <input name="from" type="number" min="0" max="255" value="1"></label><label>${t('scan.to')} <input name="to" type="number" min="0" max="255" value="247"></label></div>
      ${bus && bus.type === 'modbus-rtu' ? `<div class="inline">${t('scan.baud')}: ${bauds.map((b) => `<label><input type="checkbox" name="baud" value="${b}"${b === bus.baudRate ? ' checked' : ''}>${b}</label>`).join('')}</div>` : ''}
      <div class="row"><button class="primary" type="submit" data-testid="scan-start"${job && job.state === 'running' ? ' disabled' : ''}>${t('scan.start')}</button></div></form><div id="scan-box">${scanState(job)}</div></section>
      <section class="card"><h2>${t('outputs.title')}</h2>${S.outputs.length ? `<ul class="list">${S.outputs.map((o) =>
        `<li>${esc(o.name || o.id)} <button data-action="output" data-id="${esc(o.id)}">${t('outputs.test')}</button></li>`).join('')}</ul>` : `<p class="muted" data-testid="no-outputs">${t('outputs.none')}</p>`}</section>
      <section class="card"><h2>${t('report.title')}</h2><div class="row"><a class="btn" href="/api/report.html" target="_blank" rel="noopener">${t('report.html')}</a>
      <a class="btn" href="/api/report" target="_blank" rel="noopener">${t('report.json')}</a></div></section>${auditCard()}${account()}`;
  }
  function login() {
    return `<section class="card" data-testid="login"><h2>${t('login.title')}</h2><form data-action="login"><label>${t('login.token')}
      <input name="token" type="password" autocomplete="current-password" required data-testid="token"></label>
      <p class="muted">${t('login.hint')}</p>${S.msg ? `<p class="err">${esc(S.msg)}</p>` : ''}<button class="primary" type="submit" data-testid="login-submit">${t('login.submit')}</button></form></section>`;
  }

  function render() {
    document.documentElement.lang = S.lang;
    $('#lang').textContent = S.lang === 'zh-CN' ? 'EN' : '中文';
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    $('#tabs').hidden = !S.authed;
    const up = S.status && S.status.uplink && S.status.uplink.connected;
    const badge = $('#uplink-badge');
    badge.textContent = S.authed && S.status ? t(up ? 'uplink.up' : 'uplink.down') : '';
    badge.className = 'badge ' + (up ? 'up' : 'down');
    if (S.status) $('#gw-name').textContent = S.status.name || S.status.gatewayId;
    const banner = faultBanner();
    $('#faults').hidden = banner === '';
    if ($('#faults').innerHTML !== banner) $('#faults').innerHTML = banner;
    const [route, arg] = (location.hash.slice(1) || 'overview').split('/');
    document.querySelectorAll('#tabs a').forEach((a) => a.classList.toggle('on', a.dataset.tab === route || (route === 'device' && a.dataset.tab === 'devices')));
    // Keep what the user is typing: while a form field has focus only the scan progress is redrawn.
    const active = document.activeElement;
    if (S.authed && route === 'tools' && active && active.closest && active.closest('form') && $('#scan-box')) { $('#scan-box').innerHTML = scanState(S.scan); return; }
    const view = !S.authed ? login() : route === 'devices' ? devices() : route === 'device' ? detail(decodeURIComponent(arg || '')) : route === 'events' ? events() : route === 'tools' ? tools() : overview();
    if (view !== lastView) { $('#view').innerHTML = view; lastView = view; }
  }

  async function openDetail(id) {
    if (!id) return;
    try { const r = await api('GET', '/api/devices/' + encodeURIComponent(id)); S.detail = r.device; S.history = r.history; render(); } catch (e) { /* 401 handled */ }
  }

  // --- actions --------------------------------------------------------------------------------
  async function act(name, el, form) {
    try {
      if (name === 'login') {
        S.msg = '';
        try { await api('POST', '/api/login', { token: form.token.value.trim() }); } catch (e) { S.msg = e.status === 429 ? t('login.blocked') : t('login.wrong'); render(); return; }
        await loadAll(); startLive(); return;
      }
      if (name === 'logout') { await api('POST', '/api/logout', {}); Object.assign(S, { authed: false, me: null, audit: [] }); stopLive(); render(); return; }
      // No `by`: the gateway records the signed-in user.
      if (name === 'ack') await api('POST', `/api/alarms/${encodeURIComponent(el.dataset.id)}/ack`, {});
      if (name === 'silence') await api('POST', `/api/alarms/${encodeURIComponent(el.dataset.id)}/silence`, { minutes: 15 });
      if (name === 'duty-check') await api('POST', `/api/centres/${encodeURIComponent(el.dataset.id)}/duty-check`, {});
      if (name === 'read') await api('POST', `/api/devices/${encodeURIComponent(el.dataset.id)}/read`, {});
      if (name === 'test-alarm') { const rec = await api('POST', '/api/test-alarm', el.dataset.id ? { deviceId: el.dataset.id } : {}); S.tests.push(rec); }
      if (name === 'output') await api('POST', `/api/outputs/${encodeURIComponent(el.dataset.id)}/test`, {});
      if (name === 'scan') {
        const baud = [...form.querySelectorAll('input[name=baud]:checked')].map((i) => Number(i.value));
        const body = { bus: form.bus.value, from: Number(form.from.value), to: Number(form.to.value) };
        if (baud.length) body.baudRates = baud;
        S.scan = await api('POST', '/api/scans', body);
        if (document.activeElement) document.activeElement.blur();
        pollScan(S.scan.id);
      }
      await refresh();
    } catch (e) { if (e.message !== '401') alert(t('error') + ': ' + e.message); }
  }
  // The live feed carries scan progress; polling too keeps a scan visible if the feed drops.
  async function pollScan(id) {
    while (S.scan && S.scan.id === id && S.scan.state === 'running') {
      await new Promise((r) => setTimeout(r, 1000));
      try { const j = await api('GET', '/api/scans/' + id); if (S.scan && S.scan.id === id) { S.scan = j; render(); } } catch (e) { return; }
    }
  }

  document.addEventListener('click', (ev) => {
    const el = ev.target.closest('button[data-action]');
    if (el && !(el.type === 'submit' && el.form)) { ev.preventDefault(); act(el.dataset.action, el); }
  });
  document.addEventListener('submit', (ev) => { ev.preventDefault(); act(ev.target.dataset.action, ev.target, ev.target); });
  document.addEventListener('change', (ev) => {
    if (ev.target.dataset.action === 'point') { S.point = ev.target.value; render(); }
    if (ev.target.id === 'scan-bus') { ev.target.blur(); render(); }
  });
  $('#lang').addEventListener('click', () => { S.lang = S.lang === 'zh-CN' ? 'en' : 'zh-CN'; localStorage.setItem('hearth.lang', S.lang); render(); });
  window.addEventListener('hashchange', () => { const [r, a] = location.hash.slice(1).split('/'); if (r === 'device') openDetail(decodeURIComponent(a || '')); render(); });
  setInterval(() => { if (S.authed) refresh(); }, 5000);

  render();
  loadAll().then(() => { startLive(); const [r, a] = location.hash.slice(1).split('/'); if (r === 'device') openDetail(decodeURIComponent(a || '')); }).catch(() => render());
})();
