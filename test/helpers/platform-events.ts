import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { packageRoot } from '../../src/version.js';
import { join } from 'node:path';

/**
 * Events as a platform reads them, whatever the native layout (docs/uplink-native.md, "Events"):
 * `json` (one object per message on events/<kind>) or `compact` (the default: positional arrays on
 * `ev`, zlib against the published preset dictionary). Decoded from the documentation's terms, not
 * with the codec's own decoder, so the two cannot drift together.
 */
export type PlatformEvent = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DICTIONARY = readFileSync(join(packageRoot(), 'docs', 'schema', 'native-events.dictionary'));

/** Topic filters of one gateway's events in both layouts. */
export function eventFilters(gw: string, prefix = 'hearth/v1'): string[] {
  return [`${prefix}/${gw}/events/#`, `${prefix}/${gw}/ev`];
}

/** Is this an event topic of either layout? */
export function isEventTopic(topic: string): boolean {
  return /\/events\/[a-z_]+$/.test(topic) || topic.endsWith('/ev');
}

/**
 * The events of one message, with the `json` layout's keys (`id` as the gateway knows it, `kind`,
 * `sev`, `dev`, `pt`, `val`, `thr`, `unit`, `loc`, `ts`, `sync`, `seq`, `restores`). A compact event
 * that ends another has no `loc`; none has `gw`, and alarms, restores and tag events have no `msg`.
 * [] for a topic that is not an event's.
 */
export function eventsIn(topic: string, payload: Buffer): PlatformEvent[] {
  if (/\/events\/[a-z_]+$/.test(topic)) return [JSON.parse(payload.toString('utf8')) as PlatformEvent];
  if (!topic.endsWith('/ev')) return [];
  const rows = JSON.parse(inflateSync(payload, { dictionary: DICTIONARY }).toString('utf8')) as unknown[][];
  return rows.map((row) => {
    const [id, kind, sev, dev, ts, seq, pt, val, thr, unit, loc, re, more] = row as [string, string, string, string, number, number, ...unknown[]];
    const extra = (more ?? {}) as { sync?: boolean; msg?: string };
    const e: PlatformEvent = { id: gatewayId(id), kind, sev, dev, ts, seq, sync: extra.sync ?? true };
    if (extra.msg !== undefined) e.msg = extra.msg;
    if (pt != null) e.pt = pt;
    if (val != null) e.val = val;
    if (thr != null) e.thr = thr;
    if (unit != null) e.unit = unit;
    if (Array.isArray(loc)) {
      e.loc = {};
      (['building', 'floor', 'room', 'note'] as const).forEach((k, i) => {
        if (loc[i] != null) e.loc[k] = loc[i];
      });
    }
    if (typeof re === 'string') e.restores = gatewayId(re);
    return e;
  });
}

/** `~<id>` is the id itself; 22 base64url characters are the 16 bytes of a UUID. */
function gatewayId(wire: string): string {
  if (wire.startsWith('~')) return wire.slice(1);
  const hex = Buffer.from(wire, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
