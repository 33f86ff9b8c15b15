import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayEvent } from '../../model/event.js';
import type { Reading } from '../../model/reading.js';
import type { GatewayStatus } from '../codec.js';

/** A field device as the platform codecs announce it: hearth's device id plus what a platform may show. */
export interface SubDevice {
  id: string;
  name?: string;
  /** Profile / model, shown as the device type where the platform has one. */
  kind?: string;
}

/**
 * The gateway's status as flat properties, the form every platform's property/attribute model
 * takes: state, identity, clock sync, config version and what waits in the outbox.
 */
export function statusProperties(status: GatewayStatus, gatewayId: string, version: string): Record<string, unknown> {
  const p: Record<string, unknown> = { state: status.state, gatewayId, version, synced: status.synced };
  if (status.configVersion !== undefined) p.configVersion = status.configVersion;
  if (status.outbox !== undefined) {
    p.outboxFire = status.outbox.fire;
    p.outboxEvents = status.outbox.events;
    p.outboxTelemetry = status.outbox.telemetry;
  }
  return p;
}

/** Splits a list into consecutive pieces of at most `size` (the platforms' documented batch limits). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Readings grouped by device, then by sampling time, in the order they came (one poll = one group). */
export function groupReadings(readings: readonly Reading[]): Map<string, Map<number, Reading[]>> {
  const byDevice = new Map<string, Map<number, Reading[]>>();
  for (const r of readings) {
    let byTs = byDevice.get(r.deviceId);
    if (byTs === undefined) byDevice.set(r.deviceId, (byTs = new Map()));
    let list = byTs.get(r.ts);
    if (list === undefined) byTs.set(r.ts, (list = []));
    list.push(r);
  }
  return byDevice;
}

/** Point name -> value for one group of readings. */
export function pointValues(readings: readonly Reading[]): Record<string, Reading['value']> {
  const out: Record<string, Reading['value']> = {};
  for (const r of readings) out[r.point] = r.value;
  return out;
}

/**
 * An event as flat key/values (platforms' property and telemetry models hold scalars best). The
 * event id travels along so the platform can de-duplicate a resend.
 */
export function flatEvent(e: GatewayEvent): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = { eventId: e.id, kind: e.kind, severity: e.severity, device: e.deviceId };
  if (e.point !== undefined) out.point = e.point;
  if (e.value !== undefined) out.value = e.value;
  if (e.threshold !== undefined) out.threshold = e.threshold;
  if (e.unit !== undefined) out.unit = e.unit;
  out.message = e.message;
  if (e.location.building !== undefined) out.building = e.location.building;
  if (e.location.floor !== undefined) out.floor = e.location.floor;
  if (e.location.room !== undefined) out.room = e.location.room;
  if (e.restores !== undefined) out.restores = e.restores;
  // A walk-test alarm: a person testing a detector, not a fire.
  if (e.test === true) out.test = true;
  out.synced = e.synced;
  out.seq = e.seq;
  return out;
}

/** HMAC in lowercase hex, as every platform here expects. */
export function hmacHex(algorithm: 'sha256' | 'sha1' | 'md5', key: string, content: string): string {
  return createHmac(algorithm, key).update(content, 'utf8').digest('hex');
}

/** A secret file holds the secret alone; the trailing newline editors add is not part of it. */
export function readSecret(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

/** UTC yyyyMMdd'T'HHmmss'Z' (IoTDA event_time). */
export function compactUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Parses a JSON object payload; throws a short message for anything else. */
export function jsonObject(payload: Buffer, what: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Error(`${what}: payload is not JSON`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error(`${what}: payload must be a JSON object`);
  return body as Record<string, unknown>;
}

/** A plain object parameter, or {} when absent; throws when it is present but not an object. */
export function paramsObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what}: params must be an object`);
  return value as Record<string, unknown>;
}
