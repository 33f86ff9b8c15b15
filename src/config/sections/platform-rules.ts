import type { PLATFORM_CODECS } from './platform-codecs.js';

export type PlatformCodecName = (typeof PLATFORM_CODECS)[number];
export type MqttVersionName = '5' | '3.1.1';

/**
 * What a platform's MQTT endpoint accepts, as its vendor documents it (pages cited in
 * docs/platforms.md, "Connection rules"). Data, so one table serves `hearth check` (config
 * semantic checks, src/config/platform-checks.ts) and the session at run time (src/uplink/).
 */
export interface PlatformRules {
  /** Name used in messages, e.g. "IoTDA". */
  name: string;
  /** MQTT versions the platform takes, and the one used when the config names none. */
  mqttVersions: readonly MqttVersionName[];
  defaultMqttVersion: MqttVersionName;
  /** Whether a last will may be registered / a message may be retained. */
  will: boolean;
  retain: boolean;
  maxQos: 0 | 1;
  /** CONNECT keepalive the platform accepts (seconds); outside it the CONNECT is refused. */
  keepaliveS: { min: number; max: number };
  /** Upstream messages per second on one connection; undefined where none is documented. */
  maxMessagesPerSec?: number;
  /**
   * MQTT 5 topic aliases (MQTT 5.0 §3.3.2.3.4): after the first PUBLISH on a topic, later ones carry
   * a two-byte alias instead of the topic. Used only where the broker grants them in its CONNACK
   * (Topic Alias Maximum, §3.2.2.3.8; Mosquitto grants 10 by default) and only where hearth's docs
   * say the platform's endpoint takes them: a vendor endpoint that mishandles one would drop events.
   */
  topicAliases: boolean;
  /** Bytes per PUBLISH; larger ones are refused (or the connection dropped). */
  maxPayloadBytes?: number;
  /** Where the figures come from (short form; full citations in docs/platforms.md). */
  source: string;
}

/** The config schema's own keepalive range: platforms without a documented one get this. */
const ANY_KEEPALIVE = { min: 5, max: 3600 };

export const PLATFORM_RULES: Readonly<Record<PlatformCodecName, PlatformRules>> = {
  native: {
    name: 'the native format',
    mqttVersions: ['5', '3.1.1'],
    defaultMqttVersion: '5',
    will: true,
    retain: true,
    maxQos: 1,
    keepaliveS: ANY_KEEPALIVE,
    // Any MQTT 5 broker may grant them; the CONNACK says whether this one does.
    topicAliases: true,
    source: 'docs/uplink-native.md',
  },
  thingsboard: {
    name: 'ThingsBoard',
    mqttVersions: ['5', '3.1.1'],
    defaultMqttVersion: '5',
    will: true,
    // "ThingsBoard server nodes act as an MQTT Broker that supports QoS levels 0 and 1"; nothing is retained.
    retain: false,
    maxQos: 1,
    keepaliveS: ANY_KEEPALIVE,
    // hearth cites no ThingsBoard page for them: not used.
    topicAliases: false,
    // thingsboard.yml transport.mqtt.netty.max_payload_size, default 65536 on a self-hosted server.
    maxPayloadBytes: 65_536,
    source: 'thingsboard.io/docs/reference/mqtt-api/',
  },
  'huawei-iotda': {
    name: 'IoTDA',
    mqttVersions: ['5', '3.1.1'],
    defaultMqttVersion: '5',
    // "不支持协议中的QoS2、will、retain msg"
    will: false,
    retain: false,
    maxQos: 1,
    // "MQTT连接心跳时间 30至1200秒 ... 设置的心跳时间不在此区间内，服务器会拒绝连接"
    keepaliveS: { min: 30, max: 1200 },
    // hearth cites no IoTDA page for them: not used.
    topicAliases: false,
    // "单个MQTT连接每秒最大上行消息数量 50条"
    maxMessagesPerSec: 50,
    // "MQTT单条发布消息最大长度 1MB"
    maxPayloadBytes: 1_048_576,
    source: 'support.huaweicloud.com/productdesc-iothub/iot_04_0010.html',
  },
  'alibaba-alink': {
    name: 'Alibaba Cloud IoT',
    // MQTT 5.0 needs an Enterprise instance, and a device once connected over 5.0 can never use 3.1.1 again.
    mqttVersions: ['3.1.1', '5'],
    defaultMqttVersion: '3.1.1',
    // "does not support will messages or retained messages" (MQTT protocol specifications)
    will: false,
    retain: false,
    maxQos: 1,
    // "Valid values of the keep-alive period: 30 to 1,200 seconds ... IoT Platform rejects the connection"
    keepaliveS: { min: 30, max: 1200 },
    // MQTT 3.1.1 by default (no aliases there); hearth cites no Alibaba page for them over 5.
    topicAliases: false,
    // MQTT 5 CONNACK Maximum Packet Size: "IoT Platform always returns 262144"
    maxPayloadBytes: 262_144,
    source: 'alibabacloud.com/help/en/iot/user-guide/mqtt-protocol',
  },
};

export function platformRules(codec: PlatformCodecName | undefined): PlatformRules {
  return PLATFORM_RULES[codec ?? 'native'];
}
