import type { Location } from '../model/location.js';
import { humanizeId } from '../model/point.js';

/**
 * Texts for people, in the console's two languages: point labels with a humanized fallback, state
 * names, floors, durations and numbers rounded to a point's resolution. The console has the same
 * rules in web/format.js (it runs in the browser without a build step); test/api/people-text.test.ts
 * and the browser test hold both to the same cases.
 */
export type Lang = 'zh-CN' | 'en';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];

export type Labels = Partial<Record<Lang, string>>;

/** `smoke_density` → "Smoke density": what people see when a site profile gives no label. */
export const humanize = humanizeId;

/** The label in `lang`, else in the other language, else the humanized identifier. */
export function pick(labels: Labels | undefined, lang: Lang, fallbackId: string): string {
  return labels?.[lang] ?? labels?.[lang === 'en' ? 'zh-CN' : 'en'] ?? humanize(fallbackId);
}

const FLOOR_WORDS: Record<string, Record<Lang, string>> = {
  basement: { 'zh-CN': '地下室', en: 'Basement' },
  cellar: { 'zh-CN': '地下室', en: 'Basement' },
  ground: { 'zh-CN': '首层', en: 'Ground floor' },
  attic: { 'zh-CN': '阁楼', en: 'Attic' },
  roof: { 'zh-CN': '屋顶', en: 'Roof' },
  mezzanine: { 'zh-CN': '夹层', en: 'Mezzanine' },
};
const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const zhNumber = (n: number): string => (n <= 10 ? ZH_DIGITS[n]! : n < 20 ? '十' + ZH_DIGITS[n - 10]! : String(n));

/**
 * A floor as configured ('1', '0', '-1', 'B2', 'basement', 'attic', '2F') in words: '1' is 1层 /
 * Floor 1, '0' the ground floor (European numbering, as some configs use), '-1' and 'B1' 地下一层 /
 * B1. Anything else is the installer's own text and shown as written, never with a suffix glued on.
 */
export function floorText(floor: string, lang: Lang): string {
  const f = floor.trim();
  const word = FLOOR_WORDS[f.toLowerCase()];
  if (word) return word[lang];
  const below = /^(?:-|b)(\d{1,2})$/i.exec(f);
  if (below) {
    const n = Number(below[1]);
    return lang === 'en' ? `B${n}` : `地下${zhNumber(n)}层`;
  }
  const above = /^(\d{1,3})(?:f|层|楼)?$/i.exec(f);
  if (above) {
    const n = Number(above[1]);
    if (n === 0) return FLOOR_WORDS.ground![lang];
    return lang === 'en' ? `Floor ${n}` : `${n}层`;
  }
  return f;
}

export function locationText(l: Location, lang: Lang): string {
  return [l.building, l.floor !== undefined && l.floor !== '' ? floorText(l.floor, lang) : undefined, l.room, l.note].filter(Boolean).join(' / ');
}

/** 3 min, 2 h 5 min, 45 s / 3 分钟, 2 小时 5 分钟, 45 秒: no "0 h". */
export function durationText(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const unit = lang === 'en' ? { d: 'd', h: 'h', m: 'min', s: 's' } : { d: '天', h: '小时', m: '分钟', s: '秒' };
  if (s < 60) return `${s} ${unit.s}`;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (d) parts.push(`${d} ${unit.d}`);
  if (h) parts.push(`${h} ${unit.h}`);
  if (m && !d) parts.push(`${m} ${unit.m}`);
  return parts.join(' ');
}

/** A number rounded to `decimals` places, trailing zeros kept (9.9 A, 0.150 dB/m reads as configured). */
export function numberText(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v.toFixed(Math.max(0, Math.min(6, decimals)));
}

/** Decimals a point's values carry: its scale's (0.001 → 3), 2 for floats, 0 for integers. */
export function decimalsFor(p: { decimals?: number; scale?: number; type?: string }): number {
  if (p.decimals !== undefined) return p.decimals;
  if (p.scale !== undefined && p.scale !== 0 && Math.abs(p.scale) < 1) return Math.min(6, Math.ceil(-Math.log10(Math.abs(p.scale)) - 1e-9));
  if (p.type === 'float32') return 2;
  return 0;
}
