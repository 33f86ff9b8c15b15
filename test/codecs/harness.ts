import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { PlatformConfig } from '../../src/config/types.js';
import { Outbox } from '../../src/outbox/index.js';
import type { Codec, CommandResult, PlatformCommand } from '../../src/uplink/codec.js';
import { UplinkSession, type ReceiptListener } from '../../src/uplink/index.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { tempDir } from '../outbox/fixtures.js';
import { platform } from '../uplink/harness.js';
import { contractCodec, type ContractLog } from '../contract/contract.js';
import type { ComponentLogger } from '../../src/log/component-logger.js';

export interface Seen {
  topic: string;
  text: string;
  qos: number;
  retain: boolean;
}

type T = { teardown(fn: () => unknown): void };

/** A platform-side client on the broker that records everything on the given filters (`#` does not match `$` topics). */
export class PlatformSide {
  readonly seen: Seen[] = [];
  private constructor(readonly client: MqttClient) {}

  static async connect(t: T, url: string, filters: string[], auth: { username: string; password: string }): Promise<PlatformSide> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 100, ...auth, clientId: `platform-${Math.random().toString(16).slice(2)}` });
    const side = new PlatformSide(client);
    client.on('message', (topic, payload, packet) => side.seen.push({ topic, text: payload.toString(), qos: packet.qos, retain: packet.retain }));
    await client.subscribeAsync(filters, { qos: 1 });
    t.teardown(() => client.endAsync(true));
    return side;
  }

  on(topic: string): Seen[] {
    return this.seen.filter((s) => s.topic === topic);
  }

  json(topic: string): Record<string, unknown>[] {
    return this.on(topic).map((s) => JSON.parse(s.text) as Record<string, unknown>);
  }

  async until(check: () => boolean, ms = 15_000): Promise<void> {
    await waitFor(check, ms, 20);
  }
}

/** A real Mosquitto that admits only the given users (the gateway's signed credentials and the platform side). */
export async function broker(t: T, users: Record<string, string>): Promise<Mosquitto> {
  const b = await Mosquitto.start({ users: { platform: 'platform-pw', ...users } });
  t.teardown(() => b.close());
  return b;
}

export function secretFile(t: T, secret: string): string {
  const f = join(tempDir(t, 'hearth-secret-'), 'secret');
  writeFileSync(f, `${secret}\n`);
  return f;
}

/**
 * An outbox and a session speaking `codec` to the broker; commands answered by `onCommand`. Every
 * message the codec emits is checked against its published contract (test/contract/contract.ts):
 * the test fails at teardown if one broke it.
 */
export function session(
  t: T,
  url: string,
  rawCodec: Codec,
  opts: { now?: () => number; onCommand?: (c: PlatformCommand) => CommandResult; overrides?: Partial<PlatformConfig>; mqtt311?: boolean; receipts?: ReceiptListener; logger?: ComponentLogger } = {},
): { outbox: Outbox; session: UplinkSession; commands: PlatformCommand[]; contract: ContractLog } {
  const { codec, log: contract } = contractCodec(rawCodec);
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db'), flushIntervalMs: 20 });
  t.teardown(() => outbox.close());
  const commands: PlatformCommand[] = [];
  const s = new UplinkSession({
    platform: platform(url, { batchMaxReadings: 500, ...opts.overrides }),
    gatewayId: 'gw-test',
    outbox,
    codec,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.receipts ? { receipts: opts.receipts } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    protocolVersion: opts.mqtt311 ? 4 : 5,
    onCommand: (c, reply) => {
      commands.push(c);
      reply(opts.onCommand ? opts.onCommand(c) : { ok: true, code: 'ok', data: { echo: c.name } });
    },
  });
  // Registered first, so it runs after the session stopped (teardowns run last-registered first)
  // and sees the offline messages too.
  t.teardown(() => {
    if (contract.problems.length > 0) throw new Error(`codec contract broken:\n${contract.problems.join('\n')}`);
  });
  t.teardown(() => s.stop());
  return { outbox, session: s, commands, contract };
}
