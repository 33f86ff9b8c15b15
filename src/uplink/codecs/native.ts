import type { GatewayEvent } from '../../model/event.js';
import type { Reading } from '../../model/reading.js';
import { isEnvelope, openEnvelope } from '../../signing/envelope.js';
import { TrustedKeys } from '../../signing/keys.js';
import type { Codec, GatewayStatus, OutboundMessage, ReceiptMessage } from '../codec.js';
import { COMPACT_EVENT_TOPIC, encodeCompactEvents, fromWireId, type EventFormat } from './native-events.js';
import { addTime, encodeTelemetryPayload, telemetryTopic, type TelemetryFormat } from './native-telemetry.js';

/** Event as handed to the codec; `tsUnsynced` is set when the outbox corrected `ts`. */
type Timed = { ts: number; synced: boolean; mono: number; tsUnsynced?: number };

/** Version of the payload layout; bumped on any incompatible change (docs/uplink-native.md). */
export const NATIVE_FORMAT_VERSION = 1;

/** Compact events packed into one message at most (a few kB even with long names and texts). */
const MAX_COMPACT_EVENTS = 32;

export interface NativeCodecOptions {
  gatewayId: string;
  /** Topic root, e.g. `hearth/v1`. */
  topicPrefix: string;
  /** Software version reported in status messages. */
  version: string;
  /** Wall time for the will's `ts` (when it was registered). Default Date.now. */
  now?: () => number;
  /** Keys whose signed receipts count (remote.keys). */
  receiptKeys?: TrustedKeys;
  /** Accept unsigned receipts (platform.unsignedReceipts: only behind per-topic ACLs). Default false. */
  unsignedReceipts?: boolean;
  /**
   * Layout of telemetry batches (./native-telemetry.ts). Default `readings`, the original format;
   * the config's default (platform.telemetryFormat) is `columns-deflate`.
   */
  telemetryFormat?: TelemetryFormat;
  /**
   * Layout of events (./native-events.ts). Default `json`, the original format; the config's
   * default (platform.eventFormat) is `compact`.
   */
  eventFormat?: EventFormat;
}

/**
 * hearth's own format: JSON, short but readable keys, one topic tree per gateway.
 *   <prefix>/<gw>/status          retained, QoS 1
 *   <prefix>/<gw>/telemetry       a batch of readings, QoS 1 (telemetry/columns[-deflate]: the
 *                                 compact layouts, ./native-telemetry.ts)
 *   <prefix>/<gw>/events/<kind>   one event per message, QoS 1 (ev: the compact layout,
 *                                 ./native-events.ts)
 *   <prefix>/<gw>/ack             platform -> gateway: {"v":1,"signed":…,"sig":…} over
 *                                 {"v":1,"kid":…,"gw":<gw>,"ids":[event ids]}; plain {"v":1,"ids":[…]}
 *                                 only with platform.unsignedReceipts (anyone who can publish on a
 *                                 shared broker could otherwise hide an unconfirmed fire alarm)
 */
export class NativeCodec implements Codec {
  private readonly base: string;
  private readonly now: () => number;
  /** Compact events pack what waits at the same moment (a bound on the message, not a wait). */
  readonly maxEventsPerMessage: number;

  constructor(private readonly options: NativeCodecOptions) {
    this.base = `${options.topicPrefix.replace(/\/+$/, '')}/${options.gatewayId}`;
    this.now = options.now ?? Date.now;
    this.maxEventsPerMessage = options.eventFormat === 'compact' ? MAX_COMPACT_EVENTS : 1;
  }

  encodeStatus(status: GatewayStatus): OutboundMessage {
    const body: Record<string, unknown> = {
      v: NATIVE_FORMAT_VERSION,
      gw: this.options.gatewayId,
      state: status.state,
      version: this.options.version,
      ts: status.ts,
      sync: status.synced,
    };
    if (status.configVersion !== undefined) body.configVersion = status.configVersion;
    if (status.outbox !== undefined) {
      body.outbox = {
        fire: status.outbox.fire,
        events: status.outbox.events,
        telemetry: status.outbox.telemetry,
        oldestMs: status.outbox.oldestUnsentAgeMs,
      };
    }
    return { topic: `${this.base}/status`, payload: JSON.stringify(body), qos: 1, retain: true };
  }

  /** The platform confirms receipt at application level, on the ack topic (docs/uplink-native.md). */
  readonly receipt = 'application' as const;

  ackTopic(): string {
    return `${this.base}/ack`;
  }

  receiptTopics(): string[] {
    return [this.ackTopic()];
  }

  decodeReceipt(topic: string, payload: Buffer): ReceiptMessage | undefined {
    if (topic !== this.ackTopic()) return undefined;
    return { confirmed: this.decodeAck(payload), refused: [] };
  }

  decodeAck(payload: Buffer): string[] {
    const outer = JSON.parse(payload.toString('utf8')) as { v?: unknown; ids?: unknown; signed?: unknown; sig?: unknown };
    let body: { v?: unknown; ids?: unknown; gw?: unknown } = outer;
    if (isEnvelope(outer)) {
      const opened = openEnvelope(outer, this.options.receiptKeys ?? new TrustedKeys());
      if (!opened.ok) throw new Error(`ack refused: ${opened.message}`);
      body = opened.body;
      if (body.gw !== this.options.gatewayId) throw new Error(`ack refused: signed for gateway '${String(body.gw).slice(0, 64)}'`);
    } else if (this.options.unsignedReceipts !== true) {
      throw new Error('ack refused: unsigned (sign receipts with a key in remote.keys, or set platform.unsignedReceipts behind per-topic ACLs)');
    }
    if (body.v !== NATIVE_FORMAT_VERSION || !Array.isArray(body.ids) || !body.ids.every((x) => typeof x === 'string')) {
      throw new Error('ack: expected {"v":1,"ids":[string...]}');
    }
    // Compact events carry their ids in a short form (./native-events.ts); a receipt may name either.
    // An id that only looks short is passed on as well: ids the gateway never sent are ignored.
    return (body.ids as string[]).flatMap((id) => {
      const own = fromWireId(id);
      return own === id || id.startsWith('~') ? [own] : [own, id];
    });
  }

  encodeTelemetry(readings: readonly Reading[]): OutboundMessage {
    const first = readings[0];
    const last = readings[readings.length - 1];
    if (first === undefined || last === undefined) throw new Error('encodeTelemetry: empty batch');
    const format = this.options.telemetryFormat ?? 'readings';
    const head = {
      v: NATIVE_FORMAT_VERSION,
      gw: this.options.gatewayId,
      // Derived from content, so a batch re-sent unchanged after a reconnect keeps its id.
      batch: `${first.seq}-${last.seq}`,
    };
    return { topic: `${this.base}/${telemetryTopic(format)}`, payload: encodeTelemetryPayload(format, head, readings), qos: 1, retain: false };
  }

  /** Compact events: any number in one message, on one topic. The json format has one event a message. */
  encodeEvents(events: readonly GatewayEvent[]): OutboundMessage {
    if (events.length === 1) return this.encodeEvent(events[0]!);
    if (this.options.eventFormat !== 'compact') throw new Error(`encodeEvents: the json event format has one event a message, got ${events.length}`);
    return { topic: `${this.base}/${COMPACT_EVENT_TOPIC}`, payload: encodeCompactEvents(events), qos: 1, retain: false };
  }

  encodeEvent(e: GatewayEvent): OutboundMessage {
    if (this.options.eventFormat === 'compact') {
      return { topic: `${this.base}/${COMPACT_EVENT_TOPIC}`, payload: encodeCompactEvents([e]), qos: 1, retain: false };
    }
    const body: Record<string, unknown> = {
      v: NATIVE_FORMAT_VERSION,
      id: e.id,
      gw: e.gatewayId,
      kind: e.kind,
      sev: e.severity,
      dev: e.deviceId,
    };
    if (e.point !== undefined) body.pt = e.point;
    if (e.value !== undefined) body.val = e.value;
    if (e.threshold !== undefined) body.thr = e.threshold;
    if (e.unit !== undefined) body.unit = e.unit;
    body.msg = e.message;
    body.loc = e.location;
    addTime(body, e as Timed);
    body.seq = e.seq;
    if (e.restores !== undefined) body.restores = e.restores;
    if (e.test === true) body.test = true;
    return { topic: `${this.base}/events/${e.kind}`, payload: JSON.stringify(body), qos: 1, retain: false };
  }

  willMessage(): OutboundMessage {
    // `sync: false`: the will's time is when it was registered, not when the broker sends it.
    return this.encodeStatus({ state: 'offline', ts: this.now(), synced: false });
  }
}
