import mqtt, { type IConnackPacket, type MqttClient } from 'mqtt';
import type { PlatformConfig } from '../config/types.js';
import { ignoreFaults, type FaultReporter } from '../faults/gateway-faults.js';
import { noopLogger, type ComponentLogger as Logger } from '../log/component-logger.js';
import { PRIORITY_EVENT, type UplinkSource } from '../outbox/types.js';
import { buildClientOptions, isTlsUrl } from './client-options.js';
import type { Codec, CommandResult, GatewayStatus, OutboundMessage, PlatformCommand } from './codec.js';
import { NativeCodec } from './codecs/native.js';
import { conformingCodec } from './codecs/conforming-codec.js';
import { handleSystemMessage, linkRules, publishPaced, willFor, type LinkRules } from './platform-link.js';
import { Drain, type DrainCounters, type DrainLimits, type RefusalState } from './drain.js';
import { PARKED_RETRY_MS } from './parked-retry.js';
import { Receipts, type ReceiptListener } from './receipts.js';
import { handleCommandMessage } from './commands.js';
import { ReconnectSchedule, URGENT_RECONNECT_MAX_MS } from './reconnect.js';
import { withTelemetryInterval } from './telemetry-interval.js';
import { outboxWaits } from './outbox-waits.js';
import { sendAtOnce } from './no-delay.js';

export { URGENT_RECONNECT_MAX_MS, type ReceiptListener };

export interface UplinkSessionOptions {
  platform: PlatformConfig;
  gatewayId: string;
  outbox: UplinkSource;
  /** Default: the native codec for `platform.topicPrefix`. */
  codec?: Codec;
  /** Software version reported in status messages. */
  version?: string;
  /** Wall time and clock sync for status messages. Default Date.now / assumed synced. */
  now?: () => number;
  synced?: () => boolean;
  logger?: Logger;
  /** Source of jitter; injectable for tests. Default Math.random. */
  random?: () => number;
  /** CONNACK must arrive within this. Default 10000. */
  connectTimeoutMs?: number;
  /** stop() waits this long for outstanding PUBACKs. Default 5000. */
  stopTimeoutMs?: number;
  /** MQTT 5 by default: a broker can refuse a publish in its PUBACK (3.1.1 would ack silently). */
  protocolVersion?: 4 | 5;
  /** Drain rate limit in readings per second (token bucket); 0 or undefined = unlimited. */
  drainRatePerSec?: number;
  /** Readings the bucket may save up. */
  drainBurst?: number;
  /** Messages per second, all kinds (default platform.maxMessagesPerSec, else the platform's documented limit). */
  maxMessagesPerSec?: number;
  /**
   * Called when the receiving side has confirmed receipt of fire alarms (and other events), as the
   * platform defines it: its application-level reply ('application' codecs) or the PUBACK of the
   * event's publish ('broker' codecs).
   */
  receipts?: ReceiptListener;
  /** The broker confirmed (PUBACK) these events: the outbox may delete them (a test alarm passes on it). */
  delivered?: (eventIds: readonly string[]) => void;
  /** The gateway's own faults: `uplink:refused` while the platform refuses fire alarms. Default: none. */
  faults?: FaultReporter;
  /** Parked records are retried this often on a link that stays up. Default 300000 (5 min). */
  parkedRetryMs?: number;
  /** Reconnect attempts at most this far apart while events wait. Default URGENT_RECONNECT_MAX_MS. */
  urgentMaxMs?: number;
  /**
   * A command the codec decoded from the platform's command topics (src/remote/). `reply` publishes
   * the codec's answer on the same connection. Without a handler commands are not subscribed to.
   */
  onCommand?: (command: PlatformCommand, reply: (result: CommandResult) => void) => void;
  /** Version of the running config, reported in every status message. */
  configVersion?: () => string | undefined;
}

export interface UplinkState {
  connected: boolean;
  lastConnectAt: number | null;
  lastDisconnectAt: number | null;
  lastError: string | null;
  /** Failed or lost connections since the last successful connect. */
  reconnectAttempts: number;
  connects: number;
  inflight: number;
  counters: DrainCounters;
  /** Receipt messages from the platform that could not be read. */
  badReceipts: number;
  /** Milliseconds until the next connection attempt; null while connected or connecting. */
  nextAttemptInMs: number | null;
  /** Disconnected while fire alarms or other events wait in the outbox: reconnect attempts are a few seconds apart. */
  urgent: boolean;
  /** Fire alarms the broker refused and has not accepted since (retried every few seconds). */
  fireAlarmsRefused: number;
  /** The broker's last refusal of a publish (MQTT 5 reason code), if any. */
  lastRefusal: RefusalState | null;
}

interface Connection {
  client: MqttClient;
  closed: boolean;
}

/**
 * The MQTT session to the platform: connect (TLS, credentials, last will), announce online,
 * heartbeat, drain the outbox, report the receiving side's receipts of events, reconnect with
 * jittered backoff (a few seconds apart while alarms or events wait), announce offline on stop.
 * The gateway keeps working without it: start() does not wait for the broker.
 */
export class UplinkSession {
  private readonly codec: Codec;
  private readonly link: LinkRules;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly synced: () => boolean;
  private readonly reconnect: ReconnectSchedule;
  private readonly counters: DrainCounters = { published: 0, delivered: 0, rejected: 0, deliveredRecords: 0 };
  private readonly drain: Drain;
  /** The outbox as the drain sees it: telemetry paced to platform.telemetryIntervalMs. */
  private readonly source: UplinkSource;
  private readonly receipts: Receipts;
  private conn: Connection | undefined;
  private connected = false;
  private stopping = false;
  private started = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly info = {
    lastConnectAt: null as number | null,
    lastDisconnectAt: null as number | null,
    lastError: null as string | null,
    connects: 0,
  };

  constructor(private readonly options: UplinkSessionOptions) {
    const p = options.platform;
    this.logger = options.logger ?? noopLogger;
    this.now = options.now ?? Date.now;
    this.synced = options.synced ?? (() => true);
    this.source = withTelemetryInterval(options.outbox, p.telemetryIntervalMs ?? 0);
    const codec =
      options.codec ??
      new NativeCodec({ gatewayId: options.gatewayId, topicPrefix: p.topicPrefix, version: options.version ?? '0.0.0', now: this.now, unsignedReceipts: p.unsignedReceipts, telemetryFormat: p.telemetryFormat, eventFormat: p.eventFormat });
    this.link = linkRules(codec, p, options.maxMessagesPerSec);
    this.codec = conformingCodec(codec, this.link.rules);
    this.reconnect = new ReconnectSchedule({
      minMs: p.reconnectMinMs,
      maxMs: p.reconnectMaxMs,
      urgentMaxMs: options.urgentMaxMs ?? URGENT_RECONNECT_MAX_MS,
      ...(options.random ? { random: options.random } : {}),
      eventsWaiting: () => this.eventsWaiting(),
      fireAlarmWaiting: () => outboxWaits(this.options.outbox, 'fire'),
      attempt: () => this.connect(),
      logger: this.logger,
    });
    // A platform codec may document lower per-message limits than the configured batch size.
    const limits = {
      window: p.inflightWindow,
      maxReadings: Math.min(p.batchMaxReadings, this.codec.maxReadingsPerMessage ?? Infinity),
      maxBytes: Math.min(p.batchMaxBytes, this.codec.maxBytesPerMessage ?? Infinity),
    } as DrainLimits;
    if (options.drainRatePerSec !== undefined) limits.ratePerSec = options.drainRatePerSec;
    if (options.drainBurst !== undefined) limits.burst = options.drainBurst;
    if (this.link.pace !== undefined) limits.pace = this.link.pace;
    this.receipts = new Receipts(this.codec, options.receipts, this.logger);
    this.drain = new Drain({
      source: this.source,
      codec: this.codec,
      limits,
      counters: this.counters,
      logger: this.logger,
      refusalBackoff: { minMs: p.reconnectMinMs, maxMs: p.reconnectMaxMs, ...(options.random ? { random: options.random } : {}) },
      parkedRetryMs: options.parkedRetryMs ?? PARKED_RETRY_MS,
      faults: options.faults ?? ignoreFaults,
      now: this.now,
      // Where the PUBACK is all the platform offers, it is the receipt.
      eventAccepted: (batch) => {
        this.receipts.accepted(batch.event.id);
        this.options.delivered?.([batch.event.id]);
      },
    });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const { url } = this.options.platform;
    if (!isTlsUrl(url)) this.logger.warn({ url }, 'uplink: plain-text MQTT (no TLS); credentials and data are readable on the network');
    this.unsubscribe = this.source.onCommitted((priority) => {
      this.drain.wake(priority);
      if (priority <= PRIORITY_EVENT && !this.stopping) this.reconnect.hurry(priority);
    });
    this.connect();
  }

  /** Announce offline, let in-flight publishes finish (bounded), disconnect cleanly. */
  async stop(): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    this.reconnect.cancel();
    this.unsubscribe?.();
    this.drain.stop();
    const conn = this.conn;
    if (conn === undefined) return;
    const deadline = Date.now() + (this.options.stopTimeoutMs ?? 5000);
    if (this.connected) {
      await this.drain.idle(deadline - Date.now());
      // Where the platform takes no will this is all it hears of an orderly stop: sub-devices first.
      for (const m of this.codec.offlineMessages?.() ?? []) void this.publishAndWait(m, deadline - Date.now());
      const offline = this.status('offline');
      const history = this.codec.statusHistory?.(offline);
      if (history !== undefined) void this.publishAndWait(history, deadline - Date.now());
      await this.publishAndWait(this.codec.encodeStatus(offline), deadline - Date.now());
      await this.endClient(conn.client, deadline - Date.now());
    }
    this.onClosed(conn);
    conn.client.end(true);
  }

  state(): UplinkState {
    return {
      connected: this.connected,
      ...this.info,
      reconnectAttempts: this.reconnect.attempts(),
      inflight: this.drain.inflight(),
      counters: { ...this.counters },
      badReceipts: this.receipts.bad,
      nextAttemptInMs: this.reconnect.nextAttemptInMs(),
      urgent: !this.connected && this.eventsWaiting(),
      fireAlarmsRefused: this.drain.fireAlarmsRefused(),
      lastRefusal: this.drain.lastRefused(),
    };
  }

  private connect(): void {
    if (this.stopping) return;
    let client: MqttClient;
    try {
      const opts = buildClientOptions({ ...this.options.platform, keepaliveS: this.link.keepaliveS }, willFor(this.codec, this.link.rules), {
        connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
        protocolVersion: this.options.protocolVersion ?? 5,
        topicAliases: this.link.rules.topicAliases,
      });
      // Platforms that sign the CONNECT (IoTDA, Alink) derive client id / user / password per attempt.
      for (const [k, v] of Object.entries(this.codec.connectCredentials?.(this.now()) ?? {})) if (v !== undefined) (opts as Record<string, unknown>)[k] = v;
      client = mqtt.connect(this.options.platform.url, opts);
    } catch (err) {
      // e.g. a certificate file missing: retry later, it may be provisioned meanwhile.
      this.info.lastError = String(err);
      this.logger.error({ err }, 'uplink: cannot set up the connection');
      this.scheduleReconnect();
      return;
    }
    const conn: Connection = { client, closed: false };
    this.conn = conn;
    client.on('connect', (connack: IConnackPacket) => this.onConnected(conn, connack));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => {
      this.info.lastError = err.message;
      this.logger.warn({ err: err.message }, 'uplink: connection error');
    });
    client.on('close', () => {
      this.onClosed(conn);
      if (!this.stopping) this.scheduleReconnect();
    });
  }

  private onConnected(conn: Connection, connack: IConnackPacket): void {
    if (conn !== this.conn || conn.closed) return;
    this.connected = true;
    sendAtOnce(conn.client);
    this.reconnect.reset();
    this.info.connects++;
    this.info.lastConnectAt = this.now();
    this.logger.info({ url: this.options.platform.url }, 'uplink connected');
    // Online first, so the platform sees the gateway before its backlog.
    this.publishStatus(conn, 'online');
    this.heartbeat = setInterval(() => this.publishStatus(conn, 'online'), this.options.platform.heartbeatMs);
    this.announce(conn);
    this.drain.attach(conn.client, connack.properties?.receiveMaximum);
    const receiptTopics = this.receipts.topics();
    if (receiptTopics.length > 0) {
      conn.client.subscribe(receiptTopics, { qos: 1 }, (err) => {
        if (err && !conn.closed) this.logger.warn({ err: err.message, topics: receiptTopics }, 'uplink: cannot subscribe to the receipt topics');
      });
    }
  }

  /** Sub-device announcements of a platform codec, and the subscription to its command topics. */
  private announce(conn: Connection): void {
    try {
      publishPaced(conn.client, this.codec.onlineMessages?.() ?? [], this.link.pace, () => !conn.closed, this.logger);
    } catch (err) {
      this.logger.error({ err }, 'uplink: cannot build sub-device announcements');
    }
    const topics = [...(this.options.onCommand !== undefined ? (this.codec.commandTopics?.() ?? []) : []), ...(this.codec.systemTopics?.() ?? [])];
    if (topics.length > 0) {
      conn.client.subscribe(topics, { qos: 1 }, (err) => {
        if (err && !conn.closed) this.logger.warn({ err: err.message, topics }, 'uplink: cannot subscribe to the command topics');
      });
    }
  }

  /** Publishes one message on the live connection; false when not connected or not confirmed. */
  publish(message: OutboundMessage): Promise<boolean> {
    const conn = this.conn;
    if (conn === undefined || conn.closed || !this.connected) return Promise.resolve(false);
    this.link.pace?.note();
    return new Promise((resolve) =>
      conn.client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }, (err) => resolve(!err)),
    );
  }

  /** Commands, and the receiving side's application-level receipts of events. */
  private onMessage(topic: string, payload: Buffer): void {
    const ctx = { codec: this.codec, handler: this.options.onCommand, logger: this.logger, publish: (m: OutboundMessage) => this.publish(m) };
    if (handleCommandMessage(ctx, topic, payload)) return;
    if (handleSystemMessage(this.codec, topic, payload, this.logger)) return;
    this.receipts.onMessage(topic, payload);
  }

  /** Idempotent per connection: release in-flight records, drop the client and its store. */
  private onClosed(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    clearInterval(this.heartbeat);
    const released = this.drain.detach();
    if (this.connected) {
      this.connected = false;
      this.info.lastDisconnectAt = this.now();
      this.logger.warn({ released }, 'uplink disconnected');
    }
    // Forced end: mqtt.js fails its pending callbacks (ignored, the records were released above)
    // and the client with its outgoing store is discarded; the next attempt uses a new client.
    conn.client.end(true);
  }

  private scheduleReconnect(): void {
    if (!this.stopping) this.reconnect.schedule();
  }

  /** Fire alarms or other events wait for the platform (parked ones do not count). */
  private eventsWaiting(): boolean {
    return outboxWaits(this.options.outbox, 'events');
  }

  private status(state: GatewayStatus['state']): GatewayStatus {
    const status: GatewayStatus = { state, ts: this.now(), synced: this.synced() };
    const configVersion = this.options.configVersion?.();
    if (configVersion !== undefined) status.configVersion = configVersion;
    try {
      const s = this.options.outbox.stats();
      status.outbox = { ...s.depth, oldestUnsentAgeMs: s.oldestUnsentAgeMs };
    } catch (err) {
      // A failed or closed outbox must not keep the gateway from saying it is online/offline.
      this.logger.warn({ err }, 'uplink: outbox figures unavailable for the status');
    }
    return status;
  }

  private publishStatus(conn: Connection, state: GatewayStatus['state']): void {
    let messages: OutboundMessage[];
    try {
      const status = this.status(state);
      const history = this.codec.statusHistory?.(status);
      messages = [this.codec.encodeStatus(status), ...(history !== undefined ? [history] : [])];
    } catch (err) {
      this.logger.error({ err }, 'uplink: cannot build status');
      return;
    }
    for (const message of messages) {
      this.link.pace?.note();
      conn.client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }, (err) => {
        if (err && !conn.closed) this.logger.warn({ err: err.message }, 'uplink: status not confirmed');
      });
    }
  }

  private publishAndWait(message: OutboundMessage, timeoutMs: number): Promise<void> {
    const client = this.conn?.client;
    if (client === undefined || timeoutMs <= 0) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) =>
        client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }, () => resolve()),
      ),
      timeoutMs,
    );
  }

  private endClient(client: MqttClient, timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => client.end(false, {}, () => resolve())), timeoutMs);
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
