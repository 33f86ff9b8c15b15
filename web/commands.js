// Device commands in the console (trip, close, self-test): a button per command of the device's
// profile; a safety-relevant one asks the person first, in the page (a second tap on "Confirm"),
// and only then sends confirm: true. Maintenance tasks of the device: last result, next due, run now.
'use strict';
window.HEARTH_COMMANDS = function (S, can, V) {
  const F = window.HEARTH_FORMAT;
  const { t, esc } = V;
  const label = (c) => F.pick(c.labels, S.lang, c.name);
  const result = (id, name) => S.commandResults[id + '/' + name];

  function commandRow(id, c) {
    const r = result(id, c.name);
    const asking = S.confirming && S.confirming.id === id && S.confirming.name === c.name;
    const inputs = (c.params || []).map((p) => `<label>${esc(F.pick(p.labels, S.lang, p.name))} <input type="number" name="${esc(p.name)}" min="${p.min}" max="${p.max}" step="any" required>${p.unit ? ' ' + esc(p.unit) : ''}</label>`).join('');
    const button = asking
      ? `<span class="ask" data-testid="command-ask">${esc(t('cmd.confirmQ'))} ${esc(label(c))}? ${esc(t('cmd.safetyHint'))}</span>
         <button type="submit" class="danger" data-testid="command-confirm">${t('cmd.confirm')}</button> <button type="button" data-action="command-cancel">${t('cmd.cancel')}</button>`
      : `<button type="submit" data-testid="command-${esc(c.name)}"${r && r.busy ? ' disabled' : ''}>${esc(label(c))}</button>`;
    const shown = r && !r.busy ? `<span class="${r.ok ? 'pass' : 'fail'}" data-testid="command-result">${esc(t('cmdres.' + r.result))}${r.ms !== undefined ? ' · ' + r.ms + ' ms' : ''}</span>` : r && r.busy ? `<span class="muted">${t('cmd.running')}</span>` : '';
    return `<form class="row" data-action="command" data-id="${esc(id)}" data-cmd="${esc(c.name)}" data-safety="${c.safety ? '1' : ''}">${inputs}${button} ${shown}</form>`;
  }

  function maintenanceRow(m) {
    const last = m.lastRunAt ? `${t('maint.last')}: ${esc(V.fmtTime(m.lastRunAt))} · ${esc(t('cmdres.' + m.lastResult))}` : t('maint.never');
    return `<li data-testid="maintenance"><b>${esc(t('maint.every.' + m.every))} ${esc(m.at)}</b>${m.overdue ? ` <span class="fail">${t('maint.overdue')}</span>` : ''}
      <div class="muted">${last} · ${t('maint.next')}: ${esc(V.fmtTime(m.nextDue))}</div>
      ${can('installer') ? `<button data-action="maint-run" data-id="${esc(m.name)}" data-testid="maintenance-run">${t('maint.run')}</button>` : ''}</li>`;
  }

  /** The device's commands and maintenance, for its detail view ('' when it has none). */
  function section(id) {
    const list = (S.commands && S.commands[id]) || [];
    const tasks = (S.maintenance || []).filter((m) => m.device === id);
    if (!list.length && !tasks.length) return '';
    return `<section class="card" data-testid="device-commands"><h2>${t('cmd.title')}</h2>
      ${can('installer') ? list.map((c) => commandRow(id, c)).join('') : ''}
      ${tasks.length ? `<h3>${t('maint.title')}</h3><ul class="list">${tasks.map(maintenanceRow).join('')}</ul>` : ''}</section>`;
  }

  /** Handles the section's actions; returns false for an action that is not its own. */
  async function act(name, el, form, api, render) {
    if (name === 'command-cancel') { S.confirming = null; render(); return true; }
    if (name === 'maint-run') {
      const r = await api('POST', `/api/maintenance/${encodeURIComponent(el.dataset.id)}/run`, {});
      S.commandResults[r.device + '/' + r.command] = r;
      return true;
    }
    if (name !== 'command') return false;
    const id = form.dataset.id, cmd = form.dataset.cmd, key = id + '/' + cmd;
    const asking = S.confirming && S.confirming.id === id && S.confirming.name === cmd;
    if (form.dataset.safety && !asking) { S.confirming = { id, name: cmd }; render(); return true; }
    const params = {};
    for (const input of form.querySelectorAll('input[type=number]')) params[input.name] = Number(input.value);
    S.confirming = null;
    S.commandResults[key] = { busy: true };
    render();
    try {
      S.commandResults[key] = await api('POST', `/api/devices/${encodeURIComponent(id)}/commands/${encodeURIComponent(cmd)}`, { params, ...(form.dataset.safety ? { confirm: true } : {}) });
    } catch (e) {
      S.commandResults[key] = { ok: false, result: 'refused' };
      throw e;
    }
    return true;
  }
  return { section, act };
};
