// Texts for people, the same rules as src/api/people-text.ts (the report's): point labels with a
// humanized fallback, floors, durations, numbers to a point's resolution. No build step: a plain
// script that sets window.HEARTH_FORMAT.
'use strict';
(function () {
  const humanize = (id) => { const w = String(id).replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim().toLowerCase(); return w.charAt(0).toUpperCase() + w.slice(1); };
  const pick = (labels, lang, id) => (labels && (labels[lang] || labels[lang === 'en' ? 'zh-CN' : 'en'])) || humanize(id);
  const WORDS = {
    basement: ['地下室', 'Basement'], cellar: ['地下室', 'Basement'], ground: ['首层', 'Ground floor'], attic: ['阁楼', 'Attic'], roof: ['屋顶', 'Roof'], mezzanine: ['夹层', 'Mezzanine'],
  };
  const ZH = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
  const zhNumber = (n) => (n <= 10 ? ZH[n] : n < 20 ? '十' + ZH[n - 10] : String(n));
  function floorText(floor, lang) {
    const f = String(floor).trim();
    const en = lang === 'en';
    const word = WORDS[f.toLowerCase()];
    if (word) return word[en ? 1 : 0];
    let m = /^(?:-|b)(\d{1,2})$/i.exec(f);
    if (m) return en ? 'B' + Number(m[1]) : '地下' + zhNumber(Number(m[1])) + '层';
    m = /^(\d{1,3})(?:f|层|楼)?$/i.exec(f);
    if (m) { const n = Number(m[1]); if (n === 0) return WORDS.ground[en ? 1 : 0]; return en ? 'Floor ' + n : n + '层'; }
    return f;
  }
  const locationText = (l, lang) => (l ? [l.building, l.floor ? floorText(l.floor, lang) : '', l.room, l.note].filter(Boolean).join(' / ') : '');
  function durationText(ms, lang) {
    const s = Math.max(0, Math.round(ms / 1000));
    const u = lang === 'en' ? { d: 'd', h: 'h', m: 'min', s: 's' } : { d: '天', h: '小时', m: '分钟', s: '秒' };
    if (s < 60) return s + ' ' + u.s;
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    const parts = [];
    if (d) parts.push(d + ' ' + u.d);
    if (h) parts.push(h + ' ' + u.h);
    if (m && !d) parts.push(m + ' ' + u.m);
    return parts.join(' ');
  }
  const numberText = (v, decimals) => (Number.isFinite(v) ? v.toFixed(Math.max(0, Math.min(6, decimals))) : String(v));
  window.HEARTH_FORMAT = { humanize, pick, floorText, locationText, durationText, numberText };
})();
