/**
 * The logging surface the outbox and the uplink need: pino-compatible (`logger.warn(obj, msg)`),
 * so the daemon can pass its pino instance (or a child of it) straight in.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const ignore = (): void => {};

/** Default when no logger is given: components stay silent rather than printing to stdout. */
export const noopLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
