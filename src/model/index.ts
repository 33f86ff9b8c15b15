export type { Location } from './location.js';
export type { Reading, Quality, PointValue } from './reading.js';
export type { GatewayEvent, EventKind, Severity } from './event.js';
export { eventPriority } from './event.js';
export type { PointSpec, ThresholdSpec, PointRole } from './point.js';
export type { SequenceSource } from './sequence.js';
export { CounterSequence } from './sequence.js';
