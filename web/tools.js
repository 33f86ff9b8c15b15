// The tools page: walk test, test alarms, bus scan, output test, report, audit, account; and login.
'use strict';
window.HEARTH_TOOLS = function (S, can, V) {
  const { t, esc, fmtTime, hhmm, deviceName, pointLabel } = V;
  function scanState(job) {
    if (!job) return '';
    const found = job.found.map((h) => `${t('scan.unit')} ${h.unit}${h.baudRate ? ' @' + h.baudRate : ''}`).join(', ') || (job.state === 'running' ? '' : t('scan.none'));
    return `<div data-testid="scan-state" data-state="${esc(job.state)}"><progress max="${job.progress.total}" value="${job.progress.done}"></progress>
      <p>${t('scan.' + job.state)} ${job.progress.done}/${job.progress.total}${job.error ? ` <span class="err">${esc(job.error)}</span>` : ''}</p>
      <p><b>${t('scan.found')}:</b> <span data-testid="scan-found">${found}</span></p></div>`;
  }
  function account() {
    return `<section class="card" data-testid="account"><p>${t('me.signedIn')} <b data-testid="me-user">${esc(S.me ? S.me.user : '')}</b>
      · <span data-testid="me-role">${esc(S.me ? t('role.' + S.me.role) : '')}</span></p><div class="row"><button data-action="logout">${t('logout')}</button></div></section>`;
  }
  function auditCard() {
    if (!can('administrator')) return '';
    return `<section class="card" data-testid="audit"><h2>${t('audit.title')}</h2>${S.audit.length ? `<ul class="list">${S.audit.map((e) =>
      `<li data-testid="audit-entry"><b>${esc(e.user || e.by)}</b>${e.role ? ` (${esc(t('role.' + e.role))})` : ''} · ${esc(e.command)}
      <span class="${e.outcome === 'done' ? 'pass' : 'fail'}">${esc(t('audit.' + e.outcome))}${e.outcome === 'done' ? '' : ' ' + esc(e.code)}</span>
      <div class="muted">${esc(fmtTime(e.at))}${e.from ? ' · ' + esc(e.from) : ''}${e.via ? ' · ' + esc(e.via) : ''}</div></li>`).join('')}</ul>` :
      `<p class="muted">${t('audit.none')}</p>`}</section>`;
  }
  // The walk test (EN 54-2 test condition): start it for the site or one device, see who alarmed.
  function walkCard() {
    const w = S.walk;
    const running = w && !w.endedAt;
    const detectors = S.catalogue.filter((c) => c.kind === 'modbus' || c.kind === 'contact');
    const inScope = w ? detectors.filter((c) => !w.devices || w.devices.includes(c.id)) : [];
    const hits = w ? w.hits.map((h) => `<li data-testid="walk-hit">${esc(deviceName(h.deviceId))} · ${esc(h.point ? pointLabel(h.deviceId, h.point) : '')} · ${esc(hhmm(h.at))}${h.restoredAt ? ` · ${t('walk.restored')} ${esc(hhmm(h.restoredAt))}` : ''}</li>`).join('') : '';
    const missing = inScope.filter((c) => !w.hits.some((h) => h.deviceId === c.id));
    const result = w ? `<h3>${t(running ? 'walk.hits' : 'walk.last')}</h3><ul class="list" data-testid="walk-hits">${hits || `<li class="muted">${t('walk.noHits')}</li>`}</ul>
      ${missing.length ? `<p class="muted" data-testid="walk-missing">${t('walk.missing')}: ${missing.map((c) => esc(c.name || c.id)).join(', ')}</p>` : ''}` : '';
    if (running) {
      return `<section class="card walk" data-testid="walk-test"><h2>${t('walk.title')}</h2><p>${t('walk.running')} ${esc(hhmm(w.endsAt))} · ${t(w.sounders ? 'walk.soundersOn' : 'walk.soundersOff')}</p>
        <div class="row"><button class="primary" data-action="walk-stop" data-testid="walk-stop">${t('walk.stop')}</button></div>${result}</section>`;
    }
    return `<section class="card walk" data-testid="walk-test"><h2>${t('walk.title')}</h2><p class="muted">${t('walk.hint')}</p>
      <form data-action="walk-start" data-testid="walk-form"><label>${t('walk.scope')} <select name="scope">${`<option value="">${t('walk.site')}</option>`}${detectors.map((c) => `<option value="${esc(c.id)}">${esc(c.name || c.id)}</option>`).join('')}</select></label>
      <label>${t('walk.minutes')} <input name="minutes" type="number" min="1" max="240" value="30"></label>
      <div class="inline"><label><input type="checkbox" name="sounders">${t('walk.withSounders')}</label></div>
      <div class="row"><button class="primary" type="submit" data-testid="walk-start">${t('walk.start')}</button></div></form>${result}</section>`;
  }
  function outputsCard(test) {
    if (!S.outputs.length) return `<section class="card"><h2>${t(test ? 'outputs.title' : 'outputs.list')}</h2><p class="muted" data-testid="no-outputs">${t('outputs.none')}</p></section>`;
    return `<section class="card"><h2>${t(test ? 'outputs.title' : 'outputs.list')}</h2><ul class="list">${S.outputs.map((o) => {
      const r = S.outputResults[o.id];
      const res = !r ? '' : r.busy ? `<span class="pending">${t('outputs.busy')}</span>` : `<span class="${r.ok ? 'pass' : 'fail'}" data-testid="output-result">${t(r.ok ? 'outputs.ok' : 'outputs.failed')} ${esc(hhmm(r.at))}</span>`;
      return `<li data-testid="output" data-id="${esc(o.id)}">${esc(o.name || o.id)} ${test ? `<button data-action="output" data-id="${esc(o.id)}" data-testid="output-test"${r && r.busy ? ' disabled' : ''}>${t('outputs.test')}</button> ${res}` : ''}</li>`;
    }).join('')}</ul></section>`;
  }
  function tools() {
    if (!can('installer')) return outputsCard(false) + account();
    const job = S.scan, f = S.scanForm;
    const bus = S.buses.find((b) => b.id === f.bus) || S.buses[0];
    const bauds = [2400, 4800, 9600, 19200, 38400, 115200];
    const tests = S.tests.slice(-8).reverse();
    return `${walkCard()}<section class="card"><h2>${t('tools.testAlarm')}</h2><button class="primary" data-action="test-alarm" data-testid="gateway-test-alarm">${t('tools.testGateway')}</button>
      ${tests.length ? `<h3>${t('tools.results')}</h3><ul class="list" data-testid="test-results">${tests.map((x) =>
        `<li>${esc(deviceName(x.deviceId))} · ${esc(hhmm(x.sentAt))} · <span class="${esc(x.result)}">${esc(t('result.' + x.result))}</span></li>`).join('')}</ul>` : ''}</section>
      <section class="card"><h2>${t('scan.title')}</h2><form data-action="scan" data-testid="scan-form">
      <label>${t('scan.bus')} <select id="scan-bus" name="bus">${S.buses.map((b) => `<option value="${esc(b.id)}"${bus && b.id === bus.id ? ' selected' : ''}>${esc(b.id)} (${esc(b.type)})</option>`).join('')}</select></label>
      <div class="grid2"><label>${t('scan.from')} <input name="from" type="number" min="0" max="255" value="${esc(f.from)}"></label><label>${t('scan.to')} <input name="to" type="number" min="0" max="255" value="${esc(f.to)}"></label></div>
      ${bus && bus.type === 'modbus-rtu' ? `<div class="inline">${t('scan.baud')}: ${bauds.map((b) => `<label><input type="checkbox" name="baud" value="${b}"${b === bus.baudRate ? ' checked' : ''}>${b}</label>`).join('')}</div>` : ''}
      <div class="row"><button class="primary" type="submit" data-testid="scan-start"${job && job.state === 'running' ? ' disabled' : ''}>${t('scan.start')}</button></div></form><div id="scan-box">${scanState(job)}</div></section>
      ${outputsCard(true)}
      <section class="card"><h2>${t('report.title')}</h2><div class="row"><a class="btn" href="/api/report.html?lang=${encodeURIComponent(S.lang)}" target="_blank" rel="noopener" data-testid="report-link">${t('report.html')}</a>
      <a class="btn" href="/api/report" target="_blank" rel="noopener">${t('report.json')}</a></div></section>${auditCard()}${account()}`;
  }
  function login() {
    return `<section class="card" data-testid="login"><h2>${t('login.title')}</h2><form data-action="login"><label>${t('login.token')}
      <input name="token" type="password" autocomplete="current-password" required data-testid="token"></label>
      <p class="muted">${t('login.hint')}</p>${S.msg ? `<p class="err">${esc(S.msg)}</p>` : ''}<button class="primary" type="submit" data-testid="login-submit">${t('login.submit')}</button></form></section>`;
  }
  return { tools, login, scanState };
};
