import type { PlatformRules } from '../config/sections/platform-rules.js';
import type { GatewayEvent } from '../model/event.js';
import type { Reading } from '../model/reading.js';

/** One MQTT message, ready for client.publish. */
export interface OutboundMessage {
  topic: string;
  payload: Buffer | string;
  qos: 0 | 1;
  retain: boolean;
}

/** What the gateway says about itself on its status topic. */
export interface GatewayStatus {
  state: 'online' | 'offline';
  /** Wall time of the report. */
  ts: number;
  synced: boolean;
  /** Undefined in the last will (nobody can know the depth when the broker publishes it). */
  outbox?: {
    fire: number;
    events: number;
    telemetry: number;
    oldestUnsentAgeMs: number | null;
  };
  /** Version (content hash) of the running configuration, reported for remote configuration. */
  configVersion?: string;
}

/**
 * Turns model objects into messages for one platform's format. One codec per platform; the session
 * never looks inside a payload.
 */
export interface Codec {
  encodeStatus(status: GatewayStatus): OutboundMessage;
  encodeTelemetry(readings: readonly Reading[]): OutboundMessage;
  encodeEvent(event: GatewayEvent): OutboundMessage;
  /**
   * Several events in one message, each still its own record (native compact events). The drain
   * packs only events already waiting at the same moment: none is held back to fill a message.
   */
  encodeEvents?(events: readonly GatewayEvent[]): OutboundMessage;
  /** Events encodeEvents packs into one message; absent or 1: one event a message. */
  readonly maxEventsPerMessage?: number;
  /**
   * Registered at connect; the broker publishes it if the gateway vanishes without DISCONNECT.
   * Absent where the platform takes no will (IoTDA, Alibaba): there the offline status is sent on
   * an orderly stop only, and the platform sees a vanished gateway as a dropped connection.
   */
  willMessage?(): OutboundMessage;
  /**
   * What the platform's MQTT endpoint accepts (src/config/sections/platform-rules.ts): the session
   * registers no will where it takes none, keeps the keepalive in its range, strips retain / caps
   * QoS, and paces every publish at its messages-per-second limit. Default: the native rules.
   */
  readonly rules?: PlatformRules;
  /** Also sent with every status where the status message itself keeps no history (ThingsBoard attributes). */
  statusHistory?(status: GatewayStatus): OutboundMessage;
  /** Sent on an orderly stop, before the offline status (sub-devices disconnected / offline). */
  offlineMessages?(): OutboundMessage[];
  /** Topic filters of the platform's answers to the codec's own requests (IoTDA `events/down`). */
  systemTopics?(): string[];
  /** One message on a system topic, for the log; undefined if the topic is not one; throws on a malformed payload. */
  decodeSystem?(topic: string, payload: Buffer): SystemAnswer | undefined;
  /**
   * What counts as the receiving side's receipt of an event (docs/platforms.md, "What counts as
   * receipt by the receiving centre"):
   * - 'application': the platform answers each event at application level (the native ack topic,
   *   Alink's `post_reply`); the codec subscribes to receiptTopics() and decodes the answers.
   * - 'broker': the MQTT endpoint is the platform itself and has no per-message answer for events;
   *   the PUBACK of the event's publish is the receipt.
   */
  readonly receipt: 'application' | 'broker';
  /** 'application' codecs: topic filters the receipts arrive on (subscribed at every connection). */
  receiptTopics?(): string[];
  /**
   * One message on a receipt topic: the event ids it confirms (and those the platform answered with
   * an error). Undefined when the topic is not a receipt topic; throws on a malformed payload.
   */
  decodeReceipt?(topic: string, payload: Buffer): ReceiptMessage | undefined;
  /**
   * Platform codecs (src/uplink/codecs/, docs/platforms.md) may also: sign the CONNECT per attempt,
   * announce sub-devices after connecting, cap telemetry batches at the platform's documented
   * limits, and carry remote commands and their results. All optional; the native codec uses none.
   */
  connectCredentials?(now: number): ConnectCredentials;
  /** Sent after the online status on every connect (sub-device add / login / connect). */
  onlineMessages?(): OutboundMessage[];
  /** Readings per telemetry message the platform accepts; the drain uses the lower of this and the config. */
  readonly maxReadingsPerMessage?: number;
  /** Bytes per telemetry message the platform accepts. */
  readonly maxBytesPerMessage?: number;
  /** Topic filters the platform sends commands on. */
  commandTopics?(): string[];
  /** A command on one of commandTopics(); undefined if the topic is not a command; throws on a malformed payload. */
  decodeCommand?(topic: string, payload: Buffer): PlatformCommand | undefined;
  /** The answer to a decoded command. */
  encodeCommandResult?(command: PlatformCommand, result: CommandResult): OutboundMessage;
}

/** The platform's answer to a system request of the gateway (sub-device add, status update). */
export interface SystemAnswer {
  /** What was answered, e.g. add_sub_device_response. */
  what: string;
  succeeded: number;
  failed: { id: string; code: string; message?: string }[];
}

/** What one receipt message from the platform says. */
export interface ReceiptMessage {
  /** Event ids the receiving side has confirmed. */
  confirmed: string[];
  /** Event ids the receiving side answered with an error (not a receipt; logged). */
  refused: { id: string; code: string }[];
}

/** CONNECT fields a platform derives from its device secret (set over the config's clientId/username/password). */
export interface ConnectCredentials {
  clientId?: string;
  username?: string;
  password?: string;
}

/** A command from the platform, in the platform's terms mapped to hearth's. */
export interface PlatformCommand {
  /**
   * The platform's request id (IoTDA request_id, Alink id, ThingsBoard RPC id): routes the answer and
   * names the command in the audit log. Not a replay key: ids restart with the platform (ThingsBoard
   * counts RPC ids from 1 again after its restart), so replays are refused by the digest of the
   * signed command instead (src/remote/dispatcher.ts).
   */
  id: string;
  /** Command name, e.g. read_device, set_threshold, apply_config. */
  name: string;
  params: Record<string, unknown>;
  /** hearth device id of the sub-device addressed, if the command was sent to one. */
  deviceId?: string;
  /** Topic it arrived on (for the audit log). */
  topic: string;
  /** Codec-private routing for the answer (response topic parts). */
  replyTo?: Record<string, string>;
}

/** What the gateway answers to a command. `code` is machine-readable (docs/remote-management.md). */
export interface CommandResult {
  ok: boolean;
  code: string;
  message?: string;
  data?: Record<string, unknown>;
}
