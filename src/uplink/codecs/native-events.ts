import { deflateSync, inflateSync } from 'node:zlib';
import type { GatewayEvent } from '../../model/event.js';
import type { Location } from '../../model/location.js';

/**
 * How the native codec lays out events (docs/uplink-native.md, "Events"):
 * - `compact` (the config's default): events as positional JSON arrays, compressed with zlib against
 *   a fixed preset dictionary, on `<prefix>/<gw>/ev`; about a third of the bytes of `json`;
 * - `json`: one readable JSON object per message on `events/<kind>`, the original format.
 */
export type EventFormat = 'compact' | 'json';

export const EVENT_FORMATS: readonly EventFormat[] = ['compact', 'json'];

/** The topic under `<prefix>/<gw>/` compact events go to: one topic, the kind is in the payload. */
export const COMPACT_EVENT_TOPIC = 'ev';

/**
 * The preset dictionary (RFC 1950 FDICT) every compact event payload is deflated against. Part of
 * the format: the zlib header carries its Adler-32 (DICTID, COMPACT_EVENT_DICTIONARY_ID), and a new
 * dictionary is a new DICTID, never an edit of this one. Only words of the format itself and of
 * hearth's shipped device models (kinds, severities, point names, units): never a site's names.
 * Strings most likely to occur sit at the end, where deflate reaches them with the shortest distances.
 */
export const COMPACT_EVENT_DICTIONARY = Buffer.from(
  [
    '"tamper","test","dropped","offline","online","storage","outbox-replaced","uplink:refused",',
    '"chamber_contamination","chamber_dirty","head_removed","battery_low","test_mode","sensor_fault",',
    '"device_fault","mains_failure","temperature_alarm","current_sensor_open","temperature_sensor_open",',
    '"load_current","A","%","V","°C","cable_temperature_1",{"sync":false,"mono":,"ts0":,{"msg":"',
    '"fault","major","minor","tag_arrived","info","tag_left","info","tag",',
    '"residual_current_alarm",true,null,null,null,"residual_current","mA",',
    '"temperature","°C","smoke_density","dB/m","critical","fire_alarm",true,false,null,null,null,',
    ',["1"],[["restore","fire",[["alarm","fire",',
  ].join(''),
  'utf8',
);

/** Adler-32 of the dictionary, as the zlib header names it (docs/uplink-native.md). */
export const COMPACT_EVENT_DICTIONARY_ID = adler32(COMPACT_EVENT_DICTIONARY);

/** Event as handed to the codec; `tsUnsynced` is set when the outbox corrected `ts`. */
type Timed = { ts: number; synced: boolean; mono: number; tsUnsynced?: number };

/**
 * What a compact event carries only sometimes: the time fields when its clock was not synchronized
 * or was corrected (`sync` absent = true), and `msg` on the kinds whose text says what the fields
 * cannot (TEXT_KINDS).
 */
export interface CompactMore {
  sync?: boolean;
  mono?: number;
  ts0?: number;
  msg?: string;
  /** A walk-test alarm (a person testing a detector): not a fire. */
  test?: boolean;
}

/**
 * Kinds whose message is only words around the event's own fields and the config (device and
 * point names, thresholds, on-delays): "smoke_density 0.315 dB/m above alarm threshold 0.15 dB/m
 * for 2 s", "tag 0800A1B2C3 at Elevator reader". Their `msg` stays in the gateway's log. Every
 * other kind (fault, tamper, test, dropped, offline, online) keeps its `msg`: "console-state.json
 * moved aside", "cannot be written (EROFS)" say what no field does.
 */
const TEXT_FROM_FIELDS = new Set<GatewayEvent['kind']>(['alarm', 'restore', 'tag_arrived', 'tag_left']);

/**
 * One event, positional: [id, kind, sev, dev, ts, seq, pt, val, thr, unit, loc, re, more]. Absent
 * fields are null; trailing nulls are left out (at least the first six are always there).
 */
export type CompactEvent = [
  id: string,
  kind: string,
  sev: string,
  dev: string,
  ts: number,
  seq: number,
  pt?: string | null,
  val?: number | boolean | string | null,
  thr?: number | null,
  unit?: string | null,
  loc?: (string | null)[] | null,
  re?: string | null,
  more?: CompactMore | null,
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WIRE_UUID = /^[A-Za-z0-9_-]{22}$/;

/**
 * An event id on the wire: a UUID (what the rules give every event) as the base64url of its 16
 * bytes (22 characters instead of 36); any other id (the outbox's own notices) as `~` + the id.
 * Unique and stable across retries and restarts exactly as the id itself.
 */
export function toWireId(id: string): string {
  return UUID.test(id) ? Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url') : `~${id}`;
}

/** The gateway's id for a wire id (toWireId reversed); an id in neither form is returned as it is. */
export function fromWireId(wire: string): string {
  if (wire.startsWith('~')) return wire.slice(1);
  if (!WIRE_UUID.test(wire)) return wire;
  const hex = Buffer.from(wire, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One event as a positional array. Left out against the `json` format: the gateway id (in the
 * topic), `msg` of the kinds whose text the fields and the config make (TEXT_FROM_FIELDS; it stays
 * in the gateway's own log), `mono` and `sync` of events stamped with a synchronized clock, and
 * `loc` of an event that ends another (`re`): it happened where the event it ends did.
 */
export function compactEvent(e: GatewayEvent): CompactEvent {
  const t = e as GatewayEvent & Timed;
  const more: CompactMore = {};
  if (!t.synced || t.tsUnsynced !== undefined) {
    more.sync = t.synced;
    more.mono = Math.round(t.mono);
    if (t.tsUnsynced !== undefined) more.ts0 = t.tsUnsynced;
  }
  if (!TEXT_FROM_FIELDS.has(e.kind)) more.msg = e.message;
  if (e.test === true) more.test = true;
  const out: CompactEvent = [
    toWireId(e.id),
    e.kind,
    e.severity,
    e.deviceId,
    e.ts,
    e.seq,
    e.point ?? null,
    e.value ?? null,
    e.threshold ?? null,
    e.unit ?? null,
    e.restores !== undefined ? null : compactLocation(e.location),
    e.restores !== undefined ? toWireId(e.restores) : null,
    Object.keys(more).length > 0 ? more : null,
  ];
  while (out.length > 6 && out[out.length - 1] === null) out.pop();
  return out;
}

/** [building, floor, room, note], absent parts null, trailing nulls left out. */
function compactLocation(l: Location): (string | null)[] {
  const out = [l.building ?? null, l.floor ?? null, l.room ?? null, l.note ?? null];
  while (out.length > 0 && out[out.length - 1] === null) out.pop();
  return out;
}

/** The payload of one compact events message: a JSON array of events, zlib-deflated against the dictionary. */
export function encodeCompactEvents(events: readonly GatewayEvent[]): Buffer {
  return deflateSync(JSON.stringify(events.map(compactEvent)), { level: 9, dictionary: COMPACT_EVENT_DICTIONARY });
}

/** An event read back from the compact format, in the `json` format's terms (`loc` absent when it ends another). */
export interface DecodedEvent {
  id: string;
  kind: string;
  sev: string;
  dev: string;
  ts: number;
  sync: boolean;
  seq: number;
  pt?: string;
  val?: number | boolean | string;
  thr?: number;
  unit?: string;
  loc?: Location;
  restores?: string;
  mono?: number;
  ts0?: number;
  msg?: string;
  test?: boolean;
}

/** Reads a compact events payload (what a platform does; the demo's receiving centre and the tests use it). */
export function decodeCompactEvents(payload: Buffer): DecodedEvent[] {
  const rows = JSON.parse(inflateSync(payload, { dictionary: COMPACT_EVENT_DICTIONARY }).toString('utf8')) as unknown;
  if (!Array.isArray(rows)) throw new Error('compact events: expected an array');
  return rows.map((row: unknown) => {
    if (!Array.isArray(row) || row.length < 6) throw new Error('compact events: expected [id, kind, sev, dev, ts, seq, ...]');
    const [id, kind, sev, dev, ts, seq, pt, val, thr, unit, loc, re, more] = row as CompactEvent;
    const out: DecodedEvent = { id: fromWireId(id), kind, sev, dev, ts, sync: more?.sync ?? true, seq };
    if (pt != null) out.pt = pt;
    if (val != null) out.val = val;
    if (thr != null) out.thr = thr;
    if (unit != null) out.unit = unit;
    if (loc != null) out.loc = expandLocation(loc);
    if (re != null) out.restores = fromWireId(re);
    if (more?.mono !== undefined) out.mono = more.mono;
    if (more?.ts0 !== undefined) out.ts0 = more.ts0;
    if (more?.msg !== undefined) out.msg = more.msg;
    if (more?.test === true) out.test = true;
    return out;
  });
}

function expandLocation(loc: (string | null)[]): Location {
  const out: Location = {};
  const [building, floor, room, note] = loc;
  if (building != null) out.building = building;
  if (floor != null) out.floor = floor;
  if (room != null) out.room = room;
  if (note != null) out.note = note;
  return out;
}

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
