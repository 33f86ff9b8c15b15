import type { GatewayEvent } from '../../model/event.js';
import type { Reading } from '../../model/reading.js';
import { PLATFORM_RULES } from '../../config/sections/platform-rules.js';
import type { Codec, CommandResult, ConnectCredentials, GatewayStatus, OutboundMessage, PlatformCommand } from '../codec.js';
import { flatEvent, groupReadings, jsonObject, paramsObject, pointValues, readSecret, statusProperties, type SubDevice } from './platform-common.js';

/**
 * ThingsBoard's default MQTT payload limit (thingsboard.yml `transport.mqtt.netty.max_payload_size`,
 * 65536 bytes) on a self-hosted server; a larger publish makes it drop the connection.
 */
export const TB_MAX_PAYLOAD_BYTES = PLATFORM_RULES.thingsboard.maxPayloadBytes!;

export interface ThingsBoardCodecOptions {
  gatewayId: string;
  version: string;
  devices: readonly SubDevice[];
  /** Access-token authentication: the token file (token sent as the MQTT user name). Absent = X.509 (tls.cert/key). */
  accessTokenFile?: string;
  /** Prefix of device names in ThingsBoard, e.g. "haus-b." (device names are global per tenant). */
  deviceNamePrefix?: string;
  now?: () => number;
}

/**
 * ThingsBoard MQTT Gateway API (thingsboard.io/docs/reference/gateway-mqtt-api/):
 *   v1/gateway/connect      {"device":"<name>","type":"<profile>"}      one per field device, at connect
 *   v1/gateway/disconnect   {"device":"<name>"}                       one per field device, on an orderly stop
 *   v1/gateway/telemetry    {"<name>":[{"ts":ms,"values":{...}}, ...]} readings; events as telemetry
 *   v1/gateway/attributes   {"<name>":{...}}                          not used for data (client attributes)
 *   v1/gateway/rpc          in:  {"device":"<name>","data":{"id":n,"method":"m","params":{}}}
 *                           out: {"device":"<name>","id":n,"data":{...}}
 * and the Device API for the gateway itself: status as attributes on v1/devices/me/attributes (and the
 * same as telemetry on v1/devices/me/telemetry, since attributes keep only the latest value), its own
 * events as telemetry there too, and RPC on v1/devices/me/rpc/request/+ answered on
 * v1/devices/me/rpc/response/<id>. The gateway's own RPC replies come back on v1/gateway/rpc (it
 * subscribes to the topic it answers on) and are recognised by their shape and ignored.
 * QoS: ThingsBoard supports 0 and 1; everything here is QoS 1. Retained messages are not supported
 * by ThingsBoard, so nothing is retained. The broker's PUBACK is the delivery confirmation.
 * Authentication: access token as the user name, or X.509 client certificate (no user name).
 */
export class ThingsBoardCodec implements Codec {
  /**
   * The PUBACK is the receipt: ThingsBoard's MQTT transport is the platform itself and answers
   * telemetry with nothing but the PUBACK (no reply topic in the gateway or device API).
   */
  readonly receipt = 'broker' as const;
  readonly maxBytesPerMessage = TB_MAX_PAYLOAD_BYTES;
  readonly rules = PLATFORM_RULES.thingsboard;
  private readonly now: () => number;
  private readonly nameToId = new Map<string, string>();

  constructor(private readonly options: ThingsBoardCodecOptions) {
    this.now = options.now ?? Date.now;
    for (const d of options.devices) this.nameToId.set(this.deviceName(d.id), d.id);
  }

  deviceName(deviceId: string): string {
    return `${this.options.deviceNamePrefix ?? ''}${deviceId}`;
  }

  connectCredentials(): ConnectCredentials {
    return this.options.accessTokenFile !== undefined ? { username: readSecret(this.options.accessTokenFile) } : {};
  }

  encodeStatus(status: GatewayStatus): OutboundMessage {
    // Attributes carry no time of their own in ThingsBoard: the status time travels as one.
    const attrs: Record<string, unknown> = { ...statusProperties(status, this.options.gatewayId, this.options.version), statusTs: status.ts };
    if (status.outbox !== undefined) attrs.outboxOldestMs = status.outbox.oldestUnsentAgeMs;
    return msg('v1/devices/me/attributes', attrs);
  }

  /** Attributes keep only the latest value: the same status as telemetry of the gateway device gives it a history. */
  statusHistory(status: GatewayStatus): OutboundMessage {
    const values: Record<string, unknown> = statusProperties(status, this.options.gatewayId, this.options.version);
    if (status.outbox !== undefined) values.outboxOldestMs = status.outbox.oldestUnsentAgeMs;
    return msg('v1/devices/me/telemetry', { ts: status.ts, values });
  }

  onlineMessages(): OutboundMessage[] {
    return this.options.devices.map((d) => msg('v1/gateway/connect', { device: this.deviceName(d.id), type: d.kind ?? 'default' }));
  }

  /**
   * On an orderly stop (a removed device is gone after the restart that applies the new config):
   * ThingsBoard otherwise keeps the field devices connected through a gateway that left.
   */
  offlineMessages(): OutboundMessage[] {
    return this.options.devices.map((d) => msg('v1/gateway/disconnect', { device: this.deviceName(d.id) }));
  }

  encodeTelemetry(readings: readonly Reading[]): OutboundMessage {
    if (readings.length === 0) throw new Error('encodeTelemetry: empty batch');
    const body: Record<string, { ts: number; values: Record<string, unknown> }[]> = {};
    for (const [deviceId, byTs] of groupReadings(readings)) {
      body[this.deviceName(deviceId)] = [...byTs].map(([ts, list]) => ({ ts, values: pointValues(list) }));
    }
    return msg('v1/gateway/telemetry', body);
  }

  /** Events as telemetry of their device, keys prefixed `event_` so rule chains can tell them apart. */
  encodeEvent(e: GatewayEvent): OutboundMessage {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(flatEvent(e))) values[`event_${k}`] = v;
    // The gateway's own faults (storage, uplink, field I/O) are telemetry of the gateway device itself.
    if (e.deviceId === this.options.gatewayId && !this.nameToId.has(this.deviceName(e.deviceId))) return msg('v1/devices/me/telemetry', { ts: e.ts, values });
    return msg('v1/gateway/telemetry', { [this.deviceName(e.deviceId)]: [{ ts: e.ts, values }] });
  }

  willMessage(): OutboundMessage {
    return msg('v1/devices/me/attributes', { state: 'offline', gatewayId: this.options.gatewayId, statusTs: this.now(), synced: false });
  }

  commandTopics(): string[] {
    return ['v1/gateway/rpc', 'v1/devices/me/rpc/request/+'];
  }

  decodeCommand(topic: string, payload: Buffer): PlatformCommand | undefined {
    if (topic === 'v1/gateway/rpc') {
      const body = jsonObject(payload, 'ThingsBoard gateway RPC');
      // Our own reply, {"device","id","data"}, comes back on the topic it was sent on: not a command.
      if ('id' in body && (typeof body.data !== 'object' || body.data === null || !('method' in body.data))) return undefined;
      const data = paramsObject(body.data, 'ThingsBoard gateway RPC data');
      if (typeof body.device !== 'string' || typeof data.method !== 'string' || !isRpcId(data.id)) {
        throw new Error('ThingsBoard gateway RPC: expected {"device":string,"data":{"id":number,"method":string,"params":{}}}');
      }
      const deviceId = this.nameToId.get(body.device);
      const cmd: PlatformCommand = {
        // RPC ids count per device: the device is part of the replay key.
        id: `${body.device}:${String(data.id)}`,
        name: data.method,
        params: paramsObject(data.params, 'ThingsBoard gateway RPC'),
        topic,
        replyTo: { device: body.device, rpcId: String(data.id) },
      };
      cmd.deviceId = deviceId ?? `unknown:${body.device}`;
      return cmd;
    }
    const m = /^v1\/devices\/me\/rpc\/request\/([^/]+)$/.exec(topic);
    if (m === null) return undefined;
    const body = jsonObject(payload, 'ThingsBoard RPC');
    if (typeof body.method !== 'string') throw new Error('ThingsBoard RPC: expected {"method":string,"params":{}}');
    return { id: `me:${m[1]!}`, name: body.method, params: paramsObject(body.params, 'ThingsBoard RPC'), topic, replyTo: { requestId: m[1]! } };
  }

  encodeCommandResult(command: PlatformCommand, result: CommandResult): OutboundMessage {
    const data = { success: result.ok, code: result.code, ...(result.message ? { message: result.message } : {}), ...(result.data ?? {}) };
    const r = command.replyTo ?? {};
    if (r.device !== undefined) return msg('v1/gateway/rpc', { device: r.device, id: Number(r.rpcId), data });
    return msg(`v1/devices/me/rpc/response/${r.requestId ?? 'unknown'}`, data);
  }
}

function isRpcId(v: unknown): boolean {
  return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && v.length > 0);
}

function msg(topic: string, body: unknown): OutboundMessage {
  return { topic, payload: JSON.stringify(body), qos: 1, retain: false };
}
