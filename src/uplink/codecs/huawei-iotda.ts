import { randomUUID } from 'node:crypto';
import type { GatewayEvent } from '../../model/event.js';
import type { Reading } from '../../model/reading.js';
import { PLATFORM_RULES } from '../../config/sections/platform-rules.js';
import type { Codec, CommandResult, ConnectCredentials, GatewayStatus, OutboundMessage, PlatformCommand, SystemAnswer } from '../codec.js';
import { chunk, compactUtc, flatEvent, groupReadings, hmacHex, jsonObject, paramsObject, pointValues, readSecret, statusProperties, type SubDevice } from './platform-common.js';

/**
 * IoTDA "Gateway Reporting Device Properties in Batches" (api-iothub iot_06_v5_3006): at most 100
 * child devices per message. A telemetry message here holds at most this many readings, so it never
 * names more than 100 devices.
 */
export const IOTDA_MAX_SUB_DEVICES_PER_REPORT = 100;
/** Sub-device status updates per message: "设备状态列表,列表大小1~100" ("Gateway Updating Child Device Status", iot_06_v5_3022). */
export const IOTDA_MAX_STATUS_PER_EVENT = 100;
/** Sub-devices per add request: "单次增加最大不超过50个设备" ("Gateway Requesting for Adding Child Devices", iot_06_v5_30181). */
export const IOTDA_MAX_ADD_PER_EVENT = 50;

export interface HuaweiIotdaCodecOptions {
  /** The gateway's IoTDA device id (usually `<product_id>_<node_id>`). */
  deviceId: string;
  /** File holding the device secret (secret authentication). Absent = X.509 certificate authentication. */
  secretFile?: string;
  /** Product the field devices are registered under: their IoTDA id is `<productId>_<node_id>`, node_id = hearth device id. */
  productId: string;
  /** Service id of the product model's service holding the points. */
  serviceId: string;
  /** Explicit IoTDA device ids for hearth device ids that were registered differently. */
  subDeviceIds?: Record<string, string>;
  devices: readonly SubDevice[];
  gatewayId: string;
  version: string;
  now?: () => number;
  newId?: () => string;
}

/** ClientId timestamp: the UTC hour as YYYYMMDDHH (UTC 2018-07-24 17:56:20 -> 2018072417). */
export function iotdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13).replace(/[-T]/g, '');
}

/**
 * IoTDA CONNECT parameters (api-iothub iot_06_v5_3009): ClientId `<device_id>_0_0_<YYYYMMDDHH>`
 * (identity type 0 = device id; signature type 0 = HMAC-SHA256 without checking the timestamp
 * against the platform clock, since a Pi without RTC may start with a wrong clock), user name the
 * device id, password = HMAC-SHA256 keyed by the timestamp over the secret, lowercase hex.
 */
export function iotdaConnectParams(deviceId: string, secret: string, nowMs: number): Required<ConnectCredentials> {
  const ts = iotdaTimestamp(nowMs);
  return { clientId: `${deviceId}_0_0_${ts}`, username: deviceId, password: hmacHex('sha256', ts, secret) };
}

/**
 * Huawei Cloud IoTDA gateway (device-side MQTT API v5, support.huaweicloud.com/api-iothub/):
 *   $oc/devices/{gw}/sys/properties/report                       gateway status (its own properties)
 *   $oc/devices/{gw}/sys/events/up                               add_sub_device_request, sub_device_update_status
 *   $oc/devices/{gw}/sys/events/down                             the platform's answers to those (logged)
 *   $oc/devices/{gw}/sys/gateway/sub_devices/properties/report   readings, <= 100 sub-devices per message
 *   $oc/devices/{gw}/sys/messages/up                             events (object_device_id = the sub-device)
 *   $oc/devices/{gw}/sys/commands/request_id={id}                commands in (subscribed as .../commands/#)
 *   $oc/devices/{gw}/sys/commands/response/request_id={id}       command results out
 * IoTDA supports QoS 0 and 1 (no QoS 2), no retained messages and no will: everything is QoS 1, not
 * retained, and the offline status and the sub-devices' OFFLINE go out on an orderly stop only.
 */
export class HuaweiIotdaCodec implements Codec {
  /**
   * The PUBACK is the receipt: IoTDA's MQTT endpoint is the platform itself, and `messages/up` (like
   * property reports) has no response topic in the device-side API.
   */
  readonly receipt = 'broker' as const;
  readonly maxReadingsPerMessage = IOTDA_MAX_SUB_DEVICES_PER_REPORT;
  readonly rules = PLATFORM_RULES['huawei-iotda'];
  readonly maxBytesPerMessage = this.rules.maxPayloadBytes;
  private readonly base: string;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly idToHearth = new Map<string, string>();

  constructor(private readonly options: HuaweiIotdaCodecOptions) {
    this.base = `$oc/devices/${options.deviceId}/sys`;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    for (const d of options.devices) this.idToHearth.set(this.subDeviceId(d.id), d.id);
  }

  subDeviceId(hearthId: string): string {
    return this.options.subDeviceIds?.[hearthId] ?? `${this.options.productId}_${hearthId}`;
  }

  connectCredentials(now: number): ConnectCredentials {
    if (this.options.secretFile === undefined) return { clientId: `${this.options.deviceId}_0_0_${iotdaTimestamp(now)}`, username: this.options.deviceId };
    return iotdaConnectParams(this.options.deviceId, readSecret(this.options.secretFile), now);
  }

  encodeStatus(status: GatewayStatus): OutboundMessage {
    const properties = statusProperties(status, this.options.gatewayId, this.options.version);
    return msg(`${this.base}/properties/report`, {
      services: [{ service_id: this.options.serviceId, properties, event_time: new Date(status.ts).toISOString() }],
    });
  }

  /** Add every field device (idempotent on the platform), then mark them online, in documented batch sizes. */
  onlineMessages(): OutboundMessage[] {
    const t = compactUtc(this.now());
    const add = chunk(this.options.devices, IOTDA_MAX_ADD_PER_EVENT).map((devices) =>
      this.event('add_sub_device_request', t, {
        devices: devices.map((d) => ({ node_id: d.id, product_id: this.options.productId, name: d.name ?? d.id, ...(d.kind ? { description: d.kind } : {}) })),
      }),
    );
    const status = chunk(this.options.devices, IOTDA_MAX_STATUS_PER_EVENT).map((devices) =>
      this.event('sub_device_update_status', t, { device_statuses: devices.map((d) => ({ device_id: this.subDeviceId(d.id), status: 'ONLINE' })) }),
    );
    return [...add, ...status];
  }

  /** Sub-devices offline/online after a restart or an availability change (offline/online events also go as messages). */
  statusUpdate(hearthIds: readonly string[], status: 'ONLINE' | 'OFFLINE'): OutboundMessage[] {
    const t = compactUtc(this.now());
    return chunk(hearthIds, IOTDA_MAX_STATUS_PER_EVENT).map((ids) =>
      this.event('sub_device_update_status', t, { device_statuses: ids.map((id) => ({ device_id: this.subDeviceId(id), status })) }),
    );
  }

  encodeTelemetry(readings: readonly Reading[]): OutboundMessage {
    if (readings.length === 0) throw new Error('encodeTelemetry: empty batch');
    const groups = groupReadings(readings);
    if (groups.size > IOTDA_MAX_SUB_DEVICES_PER_REPORT) throw new Error(`IoTDA: at most ${IOTDA_MAX_SUB_DEVICES_PER_REPORT} sub-devices per report, got ${groups.size}`);
    const devices = [...groups].map(([deviceId, byTs]) => ({
      device_id: this.subDeviceId(deviceId),
      // One service entry per sampling time, so no reading of a batch is merged away.
      services: [...byTs].map(([ts, list]) => ({ service_id: this.options.serviceId, properties: pointValues(list), event_time: new Date(ts).toISOString() })),
    }));
    return msg(`${this.base}/gateway/sub_devices/properties/report`, { devices });
  }

  /** The gateway's own faults (storage, uplink, field I/O) go as messages of the gateway device itself. */
  encodeEvent(e: GatewayEvent): OutboundMessage {
    const target = e.deviceId === this.options.gatewayId && this.options.subDeviceIds?.[e.deviceId] === undefined ? this.options.deviceId : this.subDeviceId(e.deviceId);
    return msg(`${this.base}/messages/up`, { object_device_id: target, name: e.kind, id: e.id, content: { ...flatEvent(e), ts: e.ts } });
  }

  /** IoTDA takes no will: on an orderly stop the field devices are marked OFFLINE (the session then sends the offline status). */
  offlineMessages(): OutboundMessage[] {
    return this.statusUpdate(
      this.options.devices.map((d) => d.id),
      'OFFLINE',
    );
  }

  /** The platform's answers to add_sub_device_request and sub_device_update_status. */
  systemTopics(): string[] {
    return [`${this.base}/events/down`];
  }

  /**
   * "Gateway Requesting for Adding Child Devices" and "Gateway Updating Child Device Status" are
   * answered on events/down (iot_06_v5_30182 and the update status response) with
   * `paras.successful_devices` and `paras.failed_devices` ({node_id | device_id, error_code, error_msg}).
   */
  decodeSystem(topic: string, payload: Buffer): SystemAnswer | undefined {
    if (topic !== `${this.base}/events/down`) return undefined;
    const body = jsonObject(payload, 'IoTDA events/down');
    if (!Array.isArray(body.services)) throw new Error('IoTDA events/down: services missing');
    const answer: SystemAnswer = { what: '', succeeded: 0, failed: [] };
    for (const service of body.services as { event_type?: unknown; paras?: { successful_devices?: unknown; failed_devices?: unknown } }[]) {
      answer.what = [answer.what, String(service.event_type)].filter(Boolean).join(',');
      const ok = service.paras?.successful_devices;
      if (Array.isArray(ok)) answer.succeeded += ok.length;
      const failed = service.paras?.failed_devices;
      if (!Array.isArray(failed)) continue;
      for (const f of failed as Record<string, unknown>[]) {
        answer.failed.push({ id: String(f.node_id ?? f.device_id ?? '?'), code: String(f.error_code ?? '?'), ...(typeof f.error_msg === 'string' ? { message: f.error_msg } : {}) });
      }
    }
    return answer;
  }

  commandTopics(): string[] {
    return [`${this.base}/commands/#`];
  }

  decodeCommand(topic: string, payload: Buffer): PlatformCommand | undefined {
    const prefix = `${this.base}/commands/request_id=`;
    if (!topic.startsWith(prefix)) return undefined;
    const requestId = topic.slice(prefix.length);
    if (requestId.length === 0 || requestId.includes('/')) throw new Error('IoTDA command: no request_id in the topic');
    const body = jsonObject(payload, 'IoTDA command');
    if (typeof body.command_name !== 'string') throw new Error('IoTDA command: command_name missing');
    const cmd: PlatformCommand = { id: requestId, name: body.command_name, params: paramsObject(body.paras, 'IoTDA command'), topic, replyTo: { requestId } };
    const target = body.object_device_id;
    if (typeof target === 'string' && target !== this.options.deviceId) cmd.deviceId = this.idToHearth.get(target) ?? `unknown:${target}`;
    return cmd;
  }

  /** result_code 0 = success, 1 = failure (IoTDA "Platform Delivering a Command", response fields). */
  encodeCommandResult(command: PlatformCommand, result: CommandResult): OutboundMessage {
    const requestId = command.replyTo?.requestId ?? command.id;
    return msg(`${this.base}/commands/response/request_id=${requestId}`, {
      result_code: result.ok ? 0 : 1,
      response_name: command.name,
      paras: { code: result.code, ...(result.message ? { message: result.message } : {}), ...(result.data ?? {}) },
    });
  }

  private event(eventType: string, eventTime: string, paras: Record<string, unknown>): OutboundMessage {
    return msg(`${this.base}/events/up`, {
      services: [{ service_id: '$sub_device_manager', event_type: eventType, event_time: eventTime, event_id: this.newId(), paras }],
    });
  }
}

function msg(topic: string, body: unknown): OutboundMessage {
  return { topic, payload: JSON.stringify(body), qos: 1, retain: false };
}
