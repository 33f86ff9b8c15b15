// hearth installer console: small scripts, no framework. State lives in `S`; every change calls
// render(), which rebuilds the current view from it (views in views.js and tools.js, texts in
// i18n.js, formats in format.js). Live updates come over SSE (/api/live).
'use strict';
(function () {
  const S = { lang: localStorage.getItem('hearth.lang') || 'zh-CN', authed: false, status: null, devices: [], catalogue: [], alarms: [], events: [],
    buses: [], outputs: [], tests: [], scan: null, scanForm: { bus: '', from: 1, to: 247 }, history: [], trend: null, point: null, msg: '', me: null, audit: [],
    cardOrder: [], evFilter: { kind: '', device: '', hours: 24 }, outputResults: {}, walk: null, commands: {}, maintenance: [], commandResults: {}, confirming: null };
  const $ = (sel) => document.querySelector(sel);
  // What the signed-in role may use (the gateway enforces it; the console only hides what would be refused).
  const ROLES = ['viewer', 'installer', 'administrator'];
  const can = (role) => !!S.me && ROLES.indexOf(S.me.role) >= ROLES.indexOf(role);
  const V = window.HEARTH_VIEWS(S, can);
  const W = window.HEARTH_TOOLS(S, can, V);
  const C = window.HEARTH_COMMANDS(S, can, V);
  V.commandsSection = C.section;
  const t = V.t;
  let es = null;
  let pending = 0;

  async function api(method, url, body) {
    const res = await fetch(url, { method, credentials: 'same-origin', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (res.status === 401 && !url.startsWith('/api/login')) { S.authed = false; stopLive(); render(); throw new Error('401'); }
    const data = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
    if (!res.ok) { const e = new Error((data && data.message) || res.statusText); e.status = res.status; e.code = data && data.code; throw e; }
    return data;
  }
  // Alarm cards keep their place: a device joins the end of the list when it first alarms and
  // leaves when its last condition is over; nothing moves under a finger in between.
  function syncCards() {
    const first = new Map();
    for (const a of S.alarms) { const id = a.event.deviceId; if (!first.has(id) || a.event.ts < first.get(id)) first.set(id, a.event.ts); }
    S.cardOrder = S.cardOrder.filter((id) => first.has(id));
    const fresh = [...first.keys()].filter((id) => !S.cardOrder.includes(id)).sort((a, b) => first.get(a) - first.get(b));
    S.cardOrder.push(...fresh);
  }
  // One row per test alarm; a late answer to the request ("pending") never overwrites the result
  // the live feed already brought ("pass" a few milliseconds after it was sent).
  function upsertTest(rec) {
    const i = S.tests.findIndex((x) => x.eventId === rec.eventId);
    if (i < 0) S.tests.push(rec); else if (!(rec.result === 'pending' && S.tests[i].result !== 'pending')) S.tests[i] = rec;
  }

  // --- loading --------------------------------------------------------------------------------
  async function loadAll() {
    S.me = await api('GET', '/api/me');
    const none = Promise.resolve([]);
    const [status, devices, catalogue, alarms, events, outputs, walk, buses, tests, audit] = await Promise.all([
      api('GET', '/api/status'), api('GET', '/api/devices'), api('GET', '/api/catalogue'), api('GET', '/api/alarms'), api('GET', '/api/events?limit=500'), api('GET', '/api/outputs'),
      api('GET', '/api/walk-test'), can('installer') ? api('GET', '/api/buses') : none, can('installer') ? api('GET', '/api/test-alarms') : none,
      can('administrator') ? api('GET', '/api/audit?limit=50') : none]);
    Object.assign(S, { status, devices, catalogue, alarms, events, buses, outputs, tests, audit, walk, authed: true });
    Object.assign(S, { commands: await api('GET', '/api/commands'), maintenance: await api('GET', '/api/maintenance') });
    if (!S.scanForm.bus && buses.length) S.scanForm.bus = buses[0].id;
    syncCards();
    render();
  }
  async function refresh() {
    try {
      const [status, devices, catalogue, alarms, walk, audit] = await Promise.all([api('GET', '/api/status'), api('GET', '/api/devices'), api('GET', '/api/catalogue'), api('GET', '/api/alarms'),
        api('GET', '/api/walk-test'), can('administrator') ? api('GET', '/api/audit?limit=50') : Promise.resolve([])]);
      Object.assign(S, { status, devices, catalogue, alarms, walk, audit, maintenance: await api('GET', '/api/maintenance') });
      syncCards();
      const [r, a] = location.hash.slice(1).split('/');
      if (r === 'device' && a) loadTrend(decodeURIComponent(a));
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
      const d = S.devices.find((x) => x.id === r.deviceId) || S.catalogue.find((x) => x.id === r.deviceId);
      if (d) { d.values = d.values || {}; d.values[r.point] = { value: r.value, unit: r.unit, quality: r.quality, ts: r.ts }; }
      if (typeof r.value === 'number') { S.history.push(r); if (S.history.length > 600) S.history.shift(); }
      patchReading(r);
    });
    es.addEventListener('event', (m) => { S.events.unshift(JSON.parse(m.data).event); S.events.length = Math.min(S.events.length, 500); soon(); });
    es.addEventListener('alarm', soon);
    es.addEventListener('scan', (m) => { const job = JSON.parse(m.data).job; if (!S.scan || S.scan.id === job.id) { S.scan = job; schedule(); } });
    es.addEventListener('test-alarm', (m) => { upsertTest(JSON.parse(m.data).record); schedule(); });
  }
  // Readings change text in place: rebuilding the view several times a second would swallow taps
  // (a tap whose press and release land on two different copies of a button is no click).
  function patchReading(r) {
    const text = V.valueText(r.deviceId, r.point, r.value, r.unit);
    document.querySelectorAll(`[data-device="${CSS.escape(r.deviceId)}"] [data-point="${CSS.escape(r.point)}"] b`).forEach((b) => { b.textContent = text; });
    const dd = document.querySelector(`[data-testid=device-detail][data-id="${CSS.escape(r.deviceId)}"] dd[data-point="${CSS.escape(r.point)}"]`);
    if (dd) dd.textContent = text + (r.quality !== 'good' ? ' (' + t('quality.' + r.quality) + ')' : '');
    const box = document.getElementById('chart-box');
    if (box && box.dataset.device === r.deviceId && box.dataset.point === r.point) box.innerHTML = V.chart(V.chartSamples(r.deviceId, r.point), r.deviceId, r.point);
  }
  function stopLive() { if (es) { es.close(); es = null; } }
  let frame = 0;
  let lastView = '';
  function schedule() { if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); }); }

  async function loadTrend(id, point) {
    const c = S.catalogue.find((x) => x.id === id);
    const numeric = c ? c.points.filter((p) => p.type === 'number').map((p) => p.name) : [];
    const p = point || (S.point && numeric.includes(S.point) ? S.point : numeric[0]);
    if (!p) return;
    try { S.trend = { id, point: p, samples: await api('GET', `/api/catalogue/${encodeURIComponent(id)}/trend?point=${encodeURIComponent(p)}`) }; schedule(); } catch (e) { /* 401 handled */ }
  }
  async function openDetail(id) {
    if (!id) return;
    try {
      if (S.devices.some((d) => d.id === id)) { const r = await api('GET', '/api/devices/' + encodeURIComponent(id)); S.history = r.history; }
      await loadTrend(id); render();
    } catch (e) { /* 401 handled */ }
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
      if (await C.act(name, el, form, api, render)) { await refresh(); return; }
      const id = el && el.dataset.id ? encodeURIComponent(el.dataset.id) : '';
      // No `by`: the gateway records the signed-in user.
      if (name === 'ack-device') await api('POST', `/api/devices/${id}/ack`, {});
      if (name === 'silence-device') await api('POST', `/api/devices/${id}/silence`, { minutes: 15 });
      if (name === 'duty-check') await api('POST', `/api/centres/${id}/duty-check`, {});
      if (name === 'read') await api('POST', `/api/devices/${id}/read`, {});
      if (name === 'test-alarm') upsertTest(await api('POST', '/api/test-alarm', id ? { deviceId: el.dataset.id } : {}));
      if (name === 'output') {
        const key = el.dataset.id;
        S.outputResults[key] = { busy: true }; render();
        try { const r = await api('POST', `/api/outputs/${id}/test`, {}); S.outputResults[key] = { ok: r.ok, at: Date.now() }; } catch (e) { S.outputResults[key] = { ok: false, at: Date.now() }; throw e; }
      }
      if (name === 'walk-start') {
        const body = { minutes: Number(form.minutes.value) || 30, sounders: form.sounders.checked };
        if (form.scope.value) body.devices = [form.scope.value];
        S.walk = await api('POST', '/api/walk-test', body);
      }
      if (name === 'walk-stop') S.walk = await api('POST', '/api/walk-test/stop', {});
      if (name === 'scan') {
        const baud = [...form.querySelectorAll('input[name=baud]:checked')].map((i) => Number(i.value));
        const body = { bus: form.bus.value, from: Number(form.from.value), to: Number(form.to.value) };
        Object.assign(S.scanForm, body);
        if (baud.length) body.baudRates = baud;
        S.scan = await api('POST', '/api/scans', body);
        if (document.activeElement) document.activeElement.blur();
        pollScan(S.scan.id);
      }
      if (form && document.activeElement) document.activeElement.blur();
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
    for (const [sel, html] of [['#faults', V.faultBanner()], ['#walk', V.banners()]]) {
      $(sel).hidden = html === '';
      if ($(sel).innerHTML !== html) $(sel).innerHTML = html;
    }
    const [route, arg] = (location.hash.slice(1) || 'overview').split('/');
    document.querySelectorAll('#tabs a').forEach((a) => a.classList.toggle('on', a.dataset.tab === route || (route === 'device' && a.dataset.tab === 'devices')));
    // Keep what the user is typing: while a form field has focus only the scan progress is redrawn.
    const active = document.activeElement;
    if (S.authed && route === 'tools' && active && /^(INPUT|SELECT)$/.test(active.tagName) && active.closest('form') && $('#scan-box')) { $('#scan-box').innerHTML = W.scanState(S.scan); return; }
    const view = !S.authed ? W.login() : route === 'devices' ? V.devices() : route === 'device' ? V.detail(decodeURIComponent(arg || '')) : route === 'events' ? V.events() : route === 'tools' ? W.tools() : V.overview();
    if (view !== lastView) { $('#view').innerHTML = view; lastView = view; }
  }

  document.addEventListener('click', (ev) => {
    const el = ev.target.closest('button[data-action]');
    if (el && !(el.type === 'submit' && el.form)) { ev.preventDefault(); act(el.dataset.action, el); }
  });
  document.addEventListener('submit', (ev) => { ev.preventDefault(); act(ev.target.dataset.action, ev.target, ev.target); });
  document.addEventListener('change', (ev) => {
    const el = ev.target;
    if (el.dataset.action === 'point') { S.point = el.value; const [, a] = location.hash.slice(1).split('/'); loadTrend(decodeURIComponent(a || ''), el.value); render(); }
    if (el.dataset.action === 'ev-filter') { S.evFilter[el.name] = el.name === 'hours' ? Number(el.value) : el.value; render(); }
    if (el.form && el.form.dataset.action === 'scan' && el.name !== 'baud') { S.scanForm[el.name] = el.value; if (el.id === 'scan-bus') { el.blur(); render(); } }
  });
  $('#lang').addEventListener('click', () => { S.lang = S.lang === 'zh-CN' ? 'en' : 'zh-CN'; localStorage.setItem('hearth.lang', S.lang); render(); });
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#login=')) { codeLogin().then(() => loadAll()).then(startLive).catch(() => render()); return; }
    const [r, a] = location.hash.slice(1).split('/'); if (r === 'device') openDetail(decodeURIComponent(a || '')); render();
  });
  setInterval(() => { if (S.authed) refresh(); }, 5000);

  // A one-time login link from `hearth token --qr` (#login=<code>): the code is traded for a
  // session once and taken out of the address bar and history at once.
  async function codeLogin() {
    const m = /^#login=([A-Za-z0-9_-]+)$/.exec(location.hash);
    if (!m) return false;
    history.replaceState(null, '', location.pathname + '#overview');
    try { await api('POST', '/api/login/code', { code: m[1] }); S.msg = ''; } catch (e) { S.msg = t(e.status === 429 ? 'login.blocked' : 'login.codeDead'); }
    return true;
  }
  async function boot() {
    await codeLogin();
    await loadAll();
    startLive();
    const [r, a] = location.hash.slice(1).split('/');
    if (r === 'device') openDetail(decodeURIComponent(a || ''));
  }
  render();
  boot().catch(() => render());
})();
