import type { Aedes, PublishPacket } from 'aedes';
import type { KeyObject } from 'node:crypto';
import { sealEnvelope } from '../signing/envelope.js';
import { COMPACT_EVENT_TOPIC, decodeCompactEvents, toWireId } from '../uplink/codecs/native-events.js';

/** The key the demo's receiving centre signs its receipts with (the gateway trusts its public half). */
export interface ReceiptSigner {
  kid: string;
  privateKey: KeyObject;
}

/**
 * The demo's receiving centre: for every event the gateway publishes on the embedded broker, it
 * publishes the confirmation on the gateway's ack topic (`<prefix>/<gw>/ack`, docs/uplink-native.md),
 * as a real platform does once its operators' system has taken the alarm. Without it the demo's
 * fire alarms would turn into the "not confirmed by the receiving centre" fault after 100 s.
 */
export function confirmEvents(broker: Aedes, topicPrefix: string, signer?: ReceiptSigner, delayMs = 200): () => void {
  const prefix = topicPrefix.replace(/\/+$/, '');
  const filter = `${prefix}/+/events/+`;
  const compactFilter = `${prefix}/+/${COMPACT_EVENT_TOPIC}`;
  const timers = new Set<NodeJS.Timeout>();
  const deliver = (packet: PublishPacket, done: () => void): void => {
    done();
    let ids: unknown[];
    try {
      // Compact events (one topic, zlib) are confirmed by the ids as they carry them.
      ids = packet.topic.endsWith(`/${COMPACT_EVENT_TOPIC}`)
        ? decodeCompactEvents(packet.payload as Buffer).map((e) => toWireId(e.id))
        : [(JSON.parse(packet.payload.toString()) as { id?: unknown }).id];
    } catch {
      return; // not an event of ours
    }
    const gw = packet.topic.slice(prefix.length + 1).split('/')[0];
    if (ids.some((id) => typeof id !== 'string') || ids.length === 0 || gw === undefined) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const body = signer === undefined ? { v: 1, ids } : { v: 1, ...sealEnvelope({ v: 1, gw, ids }, signer.privateKey, signer.kid) };
      const ack = { cmd: 'publish', topic: `${prefix}/${gw}/ack`, payload: Buffer.from(JSON.stringify(body)), qos: 0, retain: false, dup: false } as PublishPacket;
      broker.publish(ack, () => {});
    }, delayMs);
    timers.add(timer);
  };
  broker.subscribe(filter, deliver, () => {});
  broker.subscribe(compactFilter, deliver, () => {});
  return () => {
    for (const t of timers) clearTimeout(t);
    broker.unsubscribe(filter, deliver, () => {});
    broker.unsubscribe(compactFilter, deliver, () => {});
  };
}
