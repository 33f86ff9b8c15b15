import type { GatewayEvent } from '../../model/event.js';
import type { Reading } from '../../model/reading.js';
import type { Codec, CommandResult, ConnectCredentials, GatewayStatus, OutboundMessage, PlatformCommand } from '../codec.js';
import { chunk, flatEvent, groupReadings, hmacHex, jsonObject, paramsObject, pointValues, readSecret, statusProperties, type SubDevice } from './platform-common.js';

/** "A batch request to bring sub-devices online or offline cannot contain more than 50" (Alibaba IoT, sub-device online/offline). */
export const ALINK_MAX_LOGIN_BATCH = 50;
/** Gateway batch report (thing.event.property.pack.post): at most 20 sub-devices, 200 properties and 20 events per message. */
export const ALINK_MAX_PACK_SUB_DEVICES = 20;
/** Topology relations per request: BatchAddThingTopo attaches "up to 10 sub-devices in a single call"; the MQTT request is held to the same. */
export const ALINK_MAX_TOPO_ADD = 10;

export interface AlinkIdentity {
  productKey: string;
  deviceName: string;
  /** File holding the device secret. */
  deviceSecretFile: string;
}

export interface AlibabaAlinkCodecOptions extends AlinkIdentity {
  /** MQTT client id (before the `|...|` extension). Default `<productKey>.<deviceName>`. */
  clientId?: string;
  /** securemode=2 over TLS, 3 over plain TCP (only with allowInsecure). */
  tls: boolean;
  /** Field devices and their Alibaba identities (sub-devices without an identity are not reported). */
  devices: readonly SubDevice[];
  subDevices: Record<string, AlinkIdentity>;
  gatewayId: string;
  version: string;
  now?: () => number;
}

export type AlinkSignMethod = 'hmacsha256' | 'hmacsha1' | 'hmacmd5';

/**
 * Alink sign: the parameters (sign and signmethod excluded) sorted by name and concatenated as
 * name+value without separators, signed with HMAC keyed by the device secret. Used for the MQTT
 * password, topology add and sub-device login alike. Returns lowercase hex (the platform compares
 * case-insensitively; its documentation shows uppercase).
 */
export function alinkSign(params: Record<string, string>, deviceSecret: string, method: AlinkSignMethod = 'hmacsha256'): string {
  const content = Object.keys(params)
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  return hmacHex(method === 'hmacsha256' ? 'sha256' : method === 'hmacsha1' ? 'sha1' : 'md5', deviceSecret, content);
}

/**
 * MQTT CONNECT parameters for Alibaba Cloud IoT ("How do I obtain MQTT parameters for authentication"):
 *   mqttClientId = <clientId>|securemode=2,signmethod=hmacsha256,timestamp=<ms>|
 *   username     = <deviceName>&<productKey>
 *   password     = hmacsha256(deviceSecret, "clientId<clientId>deviceName<dn>productKey<pk>timestamp<ms>")
 */
export function alinkConnectParams(id: { productKey: string; deviceName: string; clientId?: string }, secret: string, timestampMs: number, tls = true): Required<ConnectCredentials> {
  const clientId = id.clientId ?? `${id.productKey}.${id.deviceName}`;
  const timestamp = String(timestampMs);
  return {
    clientId: `${clientId}|securemode=${tls ? 2 : 3},signmethod=hmacsha256,timestamp=${timestamp}|`,
    username: `${id.deviceName}&${id.productKey}`,
    password: alinkSign({ clientId, deviceName: id.deviceName, productKey: id.productKey, timestamp }, secret),
  };
}

/**
 * Alibaba Cloud IoT Platform, Alink JSON over MQTT (gateway with sub-devices):
 *   /sys/{pk}/{dn}/thing/topo/add                       topology add (<= 10 per request)
 *   /ext/session/{pk}/{dn}/combine/batch_login          sub-device login (<= 50 per request, QoS 0 only)
 *   /sys/{pk}/{dn}/thing/event/property/post            gateway status (its own properties)
 *   /sys/{pk}/{dn}/thing/event/property/pack/post       readings (<= 20 sub-devices, 200 properties)
 *   /sys/{subPk}/{subDn}/thing/event/{kind}/post        events, on the sub-device's own topic
 *   /sys/{pk}/{dn}/thing/service/{identifier}           service calls in; answered on ..._reply
 * QoS 1 except login (QoS 0 by the platform's rule). No retained messages.
 */
export class AlibabaAlinkCodec implements Codec {
  /** One pack entry per device and sampling time: 20 readings can never exceed 20 entries or 200 properties. */
  readonly maxReadingsPerMessage = ALINK_MAX_PACK_SUB_DEVICES;
  private readonly now: () => number;
  private nextId = 1;
  private readonly byIdentity = new Map<string, string>();

  constructor(private readonly options: AlibabaAlinkCodecOptions) {
    this.now = options.now ?? Date.now;
    for (const [hearthId, sub] of Object.entries(options.subDevices)) this.byIdentity.set(`${sub.productKey}/${sub.deviceName}`, hearthId);
  }

  private get gw(): string {
    return `${this.options.productKey}/${this.options.deviceName}`;
  }

  connectCredentials(now: number): ConnectCredentials {
    const o = this.options;
    return alinkConnectParams({ productKey: o.productKey, deviceName: o.deviceName, ...(o.clientId ? { clientId: o.clientId } : {}) }, readSecret(o.deviceSecretFile), now, o.tls);
  }

  encodeStatus(status: GatewayStatus): OutboundMessage {
    const p = statusProperties(status, this.options.gatewayId, this.options.version);
    const params: Record<string, { value: unknown; time: number }> = {};
    for (const [k, v] of Object.entries(p)) params[k] = { value: v, time: status.ts };
    return this.request(`/sys/${this.gw}/thing/event/property/post`, 'thing.event.property.post', params);
  }

  onlineMessages(): OutboundMessage[] {
    const subs = this.subs();
    const ts = String(this.now());
    const topo = chunk(subs, ALINK_MAX_TOPO_ADD).map((list) =>
      this.request(
        `/sys/${this.gw}/thing/topo/add`,
        'thing.topo.add',
        list.map(({ sub, secret }) => {
          const clientId = `${sub.productKey}.${sub.deviceName}`;
          const sign = alinkSign({ clientId, deviceName: sub.deviceName, productKey: sub.productKey, timestamp: ts }, secret);
          return { deviceName: sub.deviceName, productKey: sub.productKey, sign, signmethod: 'hmacSha256', timestamp: ts, clientId };
        }),
      ),
    );
    const login = chunk(subs, ALINK_MAX_LOGIN_BATCH).map((list) => ({
      topic: `/ext/session/${this.gw}/combine/batch_login`,
      payload: JSON.stringify({
        id: this.id(),
        params: {
          deviceList: list.map(({ sub, secret }) => {
            const clientId = `${sub.productKey}&${sub.deviceName}`;
            const sign = alinkSign({ clientId, deviceName: sub.deviceName, productKey: sub.productKey, timestamp: ts }, secret);
            return { productKey: sub.productKey, deviceName: sub.deviceName, clientId, timestamp: ts, signMethod: 'hmacsha256', sign, cleanSession: 'true' };
          }),
        },
      }),
      qos: 0 as const,
      retain: false,
    }));
    return [...topo, ...login];
  }

  encodeTelemetry(readings: readonly Reading[]): OutboundMessage {
    if (readings.length === 0) throw new Error('encodeTelemetry: empty batch');
    const subDevices: unknown[] = [];
    for (const [deviceId, byTs] of groupReadings(readings)) {
      const identity = this.identity(deviceId);
      for (const [ts, list] of byTs) {
        const properties: Record<string, { value: unknown; time: number }> = {};
        for (const [k, v] of Object.entries(pointValues(list))) properties[k] = { value: v, time: ts };
        subDevices.push({ identity, properties });
      }
    }
    if (subDevices.length > ALINK_MAX_PACK_SUB_DEVICES) throw new Error(`Alink pack post: at most ${ALINK_MAX_PACK_SUB_DEVICES} sub-device entries, got ${subDevices.length}`);
    return this.request(`/sys/${this.gw}/thing/event/property/pack/post`, 'thing.event.property.pack.post', { subDevices });
  }

  /** TSL event identifier = the event kind (alarm, fault, restore, offline, ...), on the sub-device's topic. */
  encodeEvent(e: GatewayEvent): OutboundMessage {
    const id = this.identity(e.deviceId);
    return this.request(`/sys/${id.productKey}/${id.deviceName}/thing/event/${e.kind}/post`, `thing.event.${e.kind}.post`, { value: flatEvent(e), time: e.ts });
  }

  willMessage(): OutboundMessage {
    return this.encodeStatus({ state: 'offline', ts: this.now(), synced: false });
  }

  commandTopics(): string[] {
    const topics = [`/sys/${this.gw}/thing/service/+`];
    for (const sub of Object.values(this.options.subDevices)) topics.push(`/sys/${sub.productKey}/${sub.deviceName}/thing/service/+`);
    return topics;
  }

  decodeCommand(topic: string, payload: Buffer): PlatformCommand | undefined {
    const m = /^\/sys\/([^/]+)\/([^/]+)\/thing\/service\/([^/]+)$/.exec(topic);
    if (m === null || m[3]!.endsWith('_reply')) return undefined;
    const [, pk, dn, identifier] = m as unknown as [string, string, string, string];
    const body = jsonObject(payload, 'Alink service call');
    if (typeof body.id !== 'string' && typeof body.id !== 'number') throw new Error('Alink service call: id missing');
    const cmd: PlatformCommand = { id: String(body.id), name: identifier, params: paramsObject(body.params, 'Alink service call'), topic, replyTo: { pk, dn, identifier } };
    if (`${pk}/${dn}` !== this.gw) cmd.deviceId = this.byIdentity.get(`${pk}/${dn}`) ?? `unknown:${pk}/${dn}`;
    return cmd;
  }

  /** Alink reply: code 200 = success; failures use 460 (request parameter error) or 500 (internal), as the platform's own codes do. */
  encodeCommandResult(command: PlatformCommand, result: CommandResult): OutboundMessage {
    const r = command.replyTo ?? {};
    const code = result.ok ? 200 : result.code === 'internal' ? 500 : 460;
    return {
      topic: `/sys/${r.pk}/${r.dn}/thing/service/${r.identifier}_reply`,
      payload: JSON.stringify({ id: command.id, code, data: { code: result.code, ...(result.data ?? {}) }, ...(result.message ? { message: result.message } : {}) }),
      qos: 1,
      retain: false,
    };
  }

  private subs(): { sub: AlinkIdentity; secret: string }[] {
    return this.options.devices.flatMap((d) => {
      const sub = this.options.subDevices[d.id];
      return sub === undefined ? [] : [{ sub, secret: readSecret(sub.deviceSecretFile) }];
    });
  }

  private identity(hearthId: string): { productKey: string; deviceName: string } {
    const sub = this.options.subDevices[hearthId];
    if (sub === undefined) throw new Error(`Alink: no sub-device identity configured for device '${hearthId}'`);
    return { productKey: sub.productKey, deviceName: sub.deviceName };
  }

  private id(): string {
    return String(this.nextId++);
  }

  private request(topic: string, method: string, params: unknown): OutboundMessage {
    return { topic, payload: JSON.stringify({ id: this.id(), version: '1.0', sys: { ack: 0 }, params, method }), qos: 1, retain: false };
  }
}
