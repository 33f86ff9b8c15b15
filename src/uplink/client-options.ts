import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { PlatformConfig } from '../config/types.js';
import type { OutboundMessage } from './codec.js';

export interface ClientOptionsExtra {
  connectTimeoutMs: number;
  protocolVersion: 4 | 5;
  /** MQTT 5: send topic aliases where the broker grants them (PlatformRules.topicAliases). */
  topicAliases?: boolean;
}

/**
 * mqtt.js options for ONE connection attempt. Files (CA, client certificate, key, password) are
 * read on every attempt, so a rotated certificate is picked up at the next reconnect.
 *
 * Deliberate choices about mqtt.js's own retry machinery, because the outbox is the only queue:
 * - reconnectPeriod 0: mqtt.js never reconnects by itself; the session reconnects with jittered
 *   exponential backoff, and builds a NEW client per attempt.
 * - A new client per attempt also means a new, empty in-memory outgoingStore: mqtt.js keeps every
 *   unacknowledged QoS 1 publish there and would replay it on reconnect of the same client, so
 *   records would be sent twice per outage and the PUBACK of the replay would reach a callback
 *   whose records were already released. The dead client is end(true)-ed and dropped with its store.
 * - clean: true: no broker-side session to resume; unacknowledged records are re-leased from the
 *   outbox instead (duplicates allowed, loss not).
 * - resubscribe false, queueQoSZero false: the uplink subscribes to nothing and must not queue
 *   messages while offline (status is re-published at every connect anyway).
 */
export function buildClientOptions(platform: PlatformConfig, will: OutboundMessage | undefined, extra: ClientOptionsExtra): IClientOptions {
  const options: IClientOptions = {
    clientId: platform.clientId,
    protocolVersion: extra.protocolVersion,
    keepalive: platform.keepaliveS,
    connectTimeout: extra.connectTimeoutMs,
    reconnectPeriod: 0,
    clean: true,
    resubscribe: false,
    queueQoSZero: false,
  };
  // mqtt.js assigns aliases only up to the broker's CONNACK Topic Alias Maximum (none when it grants
  // none). A new client per attempt also means a fresh alias table per connection, as MQTT 5 requires.
  if (extra.protocolVersion === 5 && extra.topicAliases === true) options.autoAssignTopicAlias = true;
  // No will where the platform takes none (IoTDA, Alibaba refuse or ignore it): see Codec.willMessage.
  if (will !== undefined) options.will = { topic: will.topic, payload: toBuffer(will.payload), qos: will.qos, retain: will.retain };
  if (platform.username !== undefined) options.username = platform.username;
  const password = platform.passwordFile !== undefined ? readPasswordFile(platform.passwordFile) : platform.password;
  if (password !== undefined) options.password = password;
  if (isTlsUrl(platform.url)) {
    const tls = platform.tls;
    options.rejectUnauthorized = true;
    // TLS 1.0/1.1 are deprecated (RFC 8996): never negotiate below 1.2, whatever the server offers.
    (options as IClientOptions & { minVersion?: string }).minVersion = 'TLSv1.2';
    if (tls.ca !== undefined) options.ca = readFileSync(tls.ca);
    if (tls.cert !== undefined) options.cert = readFileSync(tls.cert);
    if (tls.key !== undefined) options.key = readFileSync(tls.key);
    if (tls.servername !== undefined) options.servername = tls.servername;
  }
  return options;
}

export function isTlsUrl(url: string): boolean {
  return /^(mqtts|ssl|tls|wss):/i.test(url);
}

/** A password file holds the password alone; the trailing newline editors add is not part of it. */
function readPasswordFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

function toBuffer(payload: Buffer | string): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload) : payload;
}
