export { UplinkSession, URGENT_RECONNECT_MAX_MS, type ReceiptListener, type UplinkSessionOptions, type UplinkState } from './session.js';
export type { Codec, GatewayStatus, OutboundMessage, ReceiptMessage } from './codec.js';
export { FAULT_REFUSED, type RefusalState } from './drain.js';
export { classifyRefusal, describeReasonCode, PUBACK_REASON, type Refusal } from './refusal.js';
export { FIRE_RETRY_MAX_MS } from './fire-retries.js';
export { PARKED_RETRY_MS } from './parked-retry.js';
export { NativeCodec, NATIVE_FORMAT_VERSION, type NativeCodecOptions } from './codecs/native.js';
export { ReconnectBackoff } from '../retry/backoff.js';
export { TokenBucket } from './token-bucket.js';
