import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import mqtt, { type MqttClient } from 'mqtt';
import type { PlatformConfig } from '../../src/config/types.js';
import { waitFor } from '../helpers/net.js';
import { repoPath } from '../helpers/repo.js';

export const PREFIX = 'hearth/v1';

function loadSchema(name: string): ValidateFunction {
  const url = repoPath(`docs/schema/${name}.schema.json`);
  return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(url, 'utf8')) as object);
}

export const schemas = {
  status: loadSchema('status'),
  telemetry: loadSchema('telemetry'),
  event: loadSchema('event'),
};

/** Which schema governs a topic of the native tree. */
export function schemaFor(topic: string): ValidateFunction {
  if (topic.endsWith('/status')) return schemas.status;
  if (topic.endsWith('/telemetry')) return schemas.telemetry;
  if (topic.includes('/events/')) return schemas.event;
  throw new Error(`no schema for ${topic}`);
}

export function platform(url: string, overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  return {
    kind: 'mqtt',
    url,
    clientId: `hearth-test-${Math.random().toString(16).slice(2, 10)}`,
    tls: {},
    allowInsecure: true,
    topicPrefix: PREFIX,
    // Tests publish plain receipts; signed ones are tested in test/remote/forged-receipts.test.ts.
    unsignedReceipts: true,
    codec: 'native',
    mqttVersion: '5',
    keepaliveS: 30,
    reconnectMinMs: 50,
    reconnectMaxMs: 400,
    inflightWindow: 8,
    batchMaxReadings: 50,
    batchMaxBytes: 64 * 1024,
    heartbeatMs: 60_000,
    // The original layout, sent as soon as stored: these tests read `readings` and time deliveries.
    telemetryFormat: 'readings',
    telemetryIntervalMs: 0,
    // One readable event per message: these tests read events by kind (the compact layout: telemetry-formats.test.ts).
    eventFormat: 'json',
    ...overrides,
  };
}

export interface Received {
  topic: string;
  body: Record<string, unknown>;
  retain: boolean;
}

/** A platform-side subscriber: collects every message of the gateway's topic tree, in order. */
export class Subscriber {
  readonly messages: Received[] = [];
  private constructor(readonly client: MqttClient) {}

  static async connect(url: string, filter = `${PREFIX}/#`, options: mqtt.IClientOptions = {}): Promise<Subscriber> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 100, ...options });
    const sub = new Subscriber(client);
    client.on('message', (topic, payload, packet) => {
      sub.messages.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain });
    });
    await client.subscribeAsync(filter, { qos: 1 });
    return sub;
  }

  on(suffix: string): Received[] {
    return this.messages.filter((m) => m.topic.endsWith(suffix));
  }

  /** Every reading seq seen in telemetry batches (duplicates included). */
  readingSeqs(): number[] {
    return this.on('/telemetry').flatMap((m) => (m.body.readings as { seq: number }[]).map((r) => r.seq));
  }

  async waitFor(check: (s: Subscriber) => boolean, timeoutMs = 10_000): Promise<void> {
    await waitFor(() => check(this), timeoutMs, 10);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** All values 1..n present? */
export function missing(seen: Iterable<number>, expected: Iterable<number>): number[] {
  const s = new Set(seen);
  return [...expected].filter((n) => !s.has(n));
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
