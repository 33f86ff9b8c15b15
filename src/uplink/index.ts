export { UplinkSession, type UplinkSessionOptions, type UplinkState } from './session.js';
export type { Codec, GatewayStatus, OutboundMessage } from './codec.js';
export { NativeCodec, NATIVE_FORMAT_VERSION, type NativeCodecOptions } from './codecs/native.js';
export { ReconnectBackoff } from './backoff.js';
export { AlarmAckMonitor, ALARM_ACK_TIMEOUT_MS, type AlarmAckState, type PendingAlarm } from './alarm-acks.js';
export { TokenBucket } from './token-bucket.js';
