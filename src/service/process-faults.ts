import type { Logger } from '../log/logger.js';

/**
 * What the daemon does with failures nobody caught (docs: systemd/README.md).
 *
 * - An unhandled promise rejection is a bug, but a bounded one: the promise's work failed, the
 *   rest of the gateway did not. It is logged with its stack and counted (the metric
 *   `hearth_unhandled_rejections_total`), and the process runs on: a full disk under a console
 *   write must not end fire detection.
 * - An uncaught exception leaves the process in a state nobody reasoned about. It is the one
 *   documented fatal condition besides a configuration error: log it, drive the outputs to their
 *   safe state through the normal stop (short deadline), exit 1, and systemd restarts the service.
 */

let unhandled = 0;



/** Unhandled rejections since the process started. */
export function unhandledRejections(): number {
  return unhandled;
}

export interface ProcessFaultHandlerOptions {
  logger: Logger;
  /** The fatal path: stop (outputs safe) with a short deadline, then exit 1. Called once per exception. */
  onUncaughtException: (err: unknown) => void;
}

/** Installs both handlers on the process; returns the function that removes them. */
export function installProcessFaultHandlers(options: ProcessFaultHandlerOptions): () => void {
  const { logger } = options;
  const onRejection = (reason: unknown): void => {
    const count = ++unhandled;
    const detail = reason instanceof Error ? { err: reason } : { reason: String(reason) };
    logger.error({ ...detail, count }, 'unhandled promise rejection (a bug): logged and counted, the gateway runs on');
  };
  const onException = (err: unknown): void => {
    logger.fatal({ err }, 'uncaught exception (a bug): stopping with outputs to their safe state, then exit 1 for systemd to restart');
    options.onUncaughtException(err);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
