import type { GatewayEvent } from '../../model/event.js';
import type { Reading } from '../../model/reading.js';
import { PLATFORM_RULES } from '../../config/sections/platform-rules.js';
import type { Codec, CommandResult, ConnectCredentials, GatewayStatus, OutboundMessage, PlatformCommand, ReceiptMessage, SystemAnswer } from '../codec.js';
import { chunk, flatEvent, groupReadings, hmacHex, jsonObject, paramsObject, pointValues, readSecret, statusProperties, type SubDevice } from './platform-common.js';

/** "A batch request to bring sub-devices online or offline cannot contain more than 50" (Alibaba IoT, sub-device online/offline). */
export const ALINK_MAX_LOGIN_BATCH = 50;
/** Gateway batch report (thing.event.property.pack.post): at most 20 sub-devices, 200 properties and 20 events per message. */
export const ALINK_MAX_PACK_SUB_DEVICES = 20;
/** Topology relations per request: BatchAddThingTopo attaches "up to 10 sub-devices in a single call"; the MQTT request is held to the same. */
export const ALINK_MAX_TOPO_ADD = 10;
/** Events sent and not yet answered whose reply can still be matched; the oldest are forgotten beyond this. */
export const ALINK_MAX_PENDING_RECEIPTS = 1024;
/**
 * Alink message ids are 0..4294967295 and must be unique per device (per day at least, as the
 * platform documents). Events use their gateway-wide sequence number, which survives restarts, in
 * the lower half; every other request counts up in the upper half from a start taken from the
 * clock, so ids of a restarted gateway do not repeat those of the run before.
 */
const ID_HALF = 2 ** 31;

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
 *   /sys/{subPk}/{subDn}/thing/event/{kind}/post        events, on the sub-device's own topic (sys.ack 1)
 *   /sys/{subPk}/{subDn}/thing/event/{kind}/post_reply  the platform's answer to an event: the receipt
 *   /sys/{pk}/{dn}/thing/service/{identifier}           service calls in; answered on ..._reply
 *   /ext/rrpc/{msgId}/sys/{pk}/{dn}/thing/service/{identifier}
 *                                                       services the product marks synchronous arrive as
 *                                                       RRPC; answered on the same topic, QoS 0
 * QoS 1 except login and RRPC answers (QoS 0 by the platform's rule). No retained messages, no will
 * (the platform supports neither): the offline status goes out on an orderly stop only.
 */
export class AlibabaAlinkCodec implements Codec {
  /** One pack entry per device and sampling time: 20 readings can never exceed 20 entries or 200 properties. */
  readonly maxReadingsPerMessage = ALINK_MAX_PACK_SUB_DEVICES;
  /** Events are posted with `sys.ack: 1`; the platform's `post_reply` with code 200 is the receipt. */
  readonly receipt = 'application' as const;
  readonly rules = PLATFORM_RULES['alibaba-alink'];
  readonly maxBytesPerMessage = this.rules.maxPayloadBytes;
  private readonly now: () => number;
  private requestCount = 0;
  private readonly requestBase: number;
  private readonly byIdentity = new Map<string, string>();
  /** `<pk>/<dn>/<message id>` of a posted event -> its event id, until the reply comes (bounded). */
  private readonly awaitingReply = new Map<string, string>();

  constructor(private readonly options: AlibabaAlinkCodecOptions) {
    this.now = options.now ?? Date.now;
    this.requestBase = Math.floor(Math.abs(this.now())) % ID_HALF;
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

  /**
   * TSL event identifier = the event kind (alarm, fault, restore, offline, ...), on the sub-device's
   * topic (the gateway's own events on the gateway's). Posted with `sys.ack: 1` so the platform
   * answers on `..._reply`; the message id is derived from the event's sequence number, so a resend
   * carries the same id and the reply to either maps back to the event.
   */
  encodeEvent(e: GatewayEvent): OutboundMessage {
    const id = this.identity(e.deviceId);
    const messageId = String(Math.floor(Math.abs(e.seq)) % ID_HALF);
    this.remember(`${id.productKey}/${id.deviceName}/${messageId}`, e.id);
    const payload = { id: messageId, version: '1.0', sys: { ack: 1 }, params: { value: flatEvent(e), time: e.ts }, method: `thing.event.${e.kind}.post` };
    return { topic: `/sys/${id.productKey}/${id.deviceName}/thing/event/${e.kind}/post`, payload: JSON.stringify(payload), qos: 1, retain: false };
  }

  /** The platform's answers to topology add and sub-device login (logged; a refusal names the request). */
  systemTopics(): string[] {
    return [`/sys/${this.gw}/thing/topo/add_reply`, `/ext/session/${this.gw}/combine/batch_login_reply`];
  }

  /**
   * `{"id","code","message","data"}`: code 200 is success. A batch login "either succeeds for all
   * devices or fails for all devices"; on failure `data` lists the devices ("Sub-device online and
   * offline status", help.aliyun.com/en/iot/user-guide/connect-or-disconnect-sub-devices).
   */
  decodeSystem(topic: string, payload: Buffer): SystemAnswer | undefined {
    const what = topic === `/sys/${this.gw}/thing/topo/add_reply` ? 'thing.topo.add_reply' : topic === `/ext/session/${this.gw}/combine/batch_login_reply` ? 'combine.batch_login_reply' : undefined;
    if (what === undefined) return undefined;
    const body = jsonObject(payload, `Alink ${what}`);
    if (typeof body.code !== 'number') throw new Error(`Alink ${what}: code missing`);
    const devices = Array.isArray(body.data) ? (body.data as { deviceName?: unknown }[]) : [];
    if (body.code === 200) return { what, succeeded: Math.max(1, devices.length), failed: [] };
    const message = typeof body.message === 'string' ? body.message : undefined;
    const ids = devices.length > 0 ? devices.map((d) => String(d.deviceName)) : [`request ${String(body.id)}`];
    return { what, succeeded: 0, failed: ids.map((id) => ({ id, code: String(body.code), ...(message !== undefined ? { message } : {}) })) };
  }

  /** Event replies of the gateway and of every sub-device. */
  receiptTopics(): string[] {
    const topics = [`/sys/${this.gw}/thing/event/+/post_reply`];
    for (const sub of Object.values(this.options.subDevices)) topics.push(`/sys/${sub.productKey}/${sub.deviceName}/thing/event/+/post_reply`);
    return topics;
  }

  /** `{"id":"…","code":200,…}` on `/sys/{pk}/{dn}/thing/event/{kind}/post_reply`: code 200 is the receipt. */
  decodeReceipt(topic: string, payload: Buffer): ReceiptMessage | undefined {
    const m = /^\/sys\/([^/]+)\/([^/]+)\/thing\/event\/([^/]+)\/post_reply$/.exec(topic);
    if (m === null) return undefined;
    const body = jsonObject(payload, 'Alink event reply');
    if (typeof body.id !== 'string' && typeof body.id !== 'number') throw new Error('Alink event reply: id missing');
    if (typeof body.code !== 'number') throw new Error('Alink event reply: code missing');
    const key = `${m[1]!}/${m[2]!}/${String(body.id)}`;
    const eventId = this.awaitingReply.get(key);
    // A reply to a property post, or to an event forgotten (bounded map) or answered already.
    if (eventId === undefined) return { confirmed: [], refused: [] };
    this.awaitingReply.delete(key);
    if (body.code === 200) return { confirmed: [eventId], refused: [] };
    return { confirmed: [], refused: [{ id: eventId, code: String(body.code) }] };
  }

  /** Service calls of the gateway and of every sub-device: asynchronous ones, and synchronous ones as RRPC. */
  commandTopics(): string[] {
    const devices = [`${this.gw}`, ...Object.values(this.options.subDevices).map((sub) => `${sub.productKey}/${sub.deviceName}`)];
    return devices.flatMap((d) => [`/sys/${d}/thing/service/+`, `/ext/rrpc/+/sys/${d}/thing/service/+`]);
  }

  decodeCommand(topic: string, payload: Buffer): PlatformCommand | undefined {
    const m = /^(?:\/ext\/rrpc\/([^/]+))?\/sys\/([^/]+)\/([^/]+)\/thing\/service\/([^/]+)$/.exec(topic);
    if (m === null || m[4]!.endsWith('_reply')) return undefined;
    const [, rrpc, pk, dn, identifier] = m as unknown as [string | undefined, string, string, string, string];
    const body = jsonObject(payload, 'Alink service call');
    // An RRPC answer goes out on the request's own topic, so the gateway receives its answers too.
    if (rrpc !== undefined && 'code' in body && !('method' in body)) return undefined;
    if (typeof body.id !== 'string' && typeof body.id !== 'number') throw new Error('Alink service call: id missing');
    const cmd: PlatformCommand = { id: String(body.id), name: identifier, params: paramsObject(body.params, 'Alink service call'), topic, replyTo: { pk, dn, identifier, ...(rrpc !== undefined ? { rrpc } : {}) } };
    if (`${pk}/${dn}` !== this.gw) cmd.deviceId = this.byIdentity.get(`${pk}/${dn}`) ?? `unknown:${pk}/${dn}`;
    return cmd;
  }

  /** Alink reply: code 200 = success; failures use 460 (request parameter error) or 500 (internal), as the platform's own codes do. */
  encodeCommandResult(command: PlatformCommand, result: CommandResult): OutboundMessage {
    const r = command.replyTo ?? {};
    const code = result.ok ? 200 : result.code === 'internal' ? 500 : 460;
    const payload = JSON.stringify({ id: command.id, code, data: { code: result.code, ...(result.data ?? {}) }, ...(result.message ? { message: result.message } : {}) });
    // RRPC: "the device publishes the result to /ext/rrpc/${messageId}/${topic}", at QoS 0 only.
    if (r.rrpc !== undefined) return { topic: `/ext/rrpc/${r.rrpc}/sys/${r.pk}/${r.dn}/thing/service/${r.identifier}`, payload, qos: 0, retain: false };
    return { topic: `/sys/${r.pk}/${r.dn}/thing/service/${r.identifier}_reply`, payload, qos: 1, retain: false };
  }

  private subs(): { sub: AlinkIdentity; secret: string }[] {
    return this.options.devices.flatMap((d) => {
      const sub = this.options.subDevices[d.id];
      return sub === undefined ? [] : [{ sub, secret: readSecret(sub.deviceSecretFile) }];
    });
  }

  private identity(hearthId: string): { productKey: string; deviceName: string } {
    // The gateway's own faults (storage, uplink, field I/O) are events of the gateway device.
    if (hearthId === this.options.gatewayId && this.options.subDevices[hearthId] === undefined) {
      return { productKey: this.options.productKey, deviceName: this.options.deviceName };
    }
    const sub = this.options.subDevices[hearthId];
    if (sub === undefined) throw new Error(`Alink: no sub-device identity configured for device '${hearthId}'`);
    return { productKey: sub.productKey, deviceName: sub.deviceName };
  }

  private id(): string {
    return String(ID_HALF + ((this.requestBase + this.requestCount++) % ID_HALF));
  }

  private remember(key: string, eventId: string): void {
    this.awaitingReply.delete(key);
    this.awaitingReply.set(key, eventId);
    // Insertion order: the first key is the oldest send.
    while (this.awaitingReply.size > ALINK_MAX_PENDING_RECEIPTS) this.awaitingReply.delete(this.awaitingReply.keys().next().value!);
  }

  private request(topic: string, method: string, params: unknown): OutboundMessage {
    return { topic, payload: JSON.stringify({ id: this.id(), version: '1.0', sys: { ack: 0 }, params, method }), qos: 1, retain: false };
  }
}
