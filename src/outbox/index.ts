export { Outbox, type OutboxOptions } from './outbox.js';
export { OutboxStorageError } from './errors.js';
export { noopLogger, type Logger } from './logger.js';
export {
  PRIORITY_FIRE,
  PRIORITY_EVENT,
  PRIORITY_TELEMETRY,
  type Priority,
  type Batch,
  type BatchLimits,
  type OutboxStats,
  type UplinkSource,
} from './types.js';
