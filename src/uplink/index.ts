export { UplinkSession, type UplinkSessionOptions, type UplinkState } from './session.js';
export type { Codec, GatewayStatus, OutboundMessage } from './codec.js';
export { NativeCodec, NATIVE_FORMAT_VERSION, type NativeCodecOptions } from './codecs/native.js';
export { ReconnectBackoff } from './backoff.js';
