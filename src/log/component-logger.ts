/**
 * The logging surface components need: pino-compatible (`logger.warn(obj, msg)`), so the daemon
 * passes its pino instance or a child of it straight in, and tests pass nothing.
 */
export interface ComponentLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const ignore = (): void => {};

/** Default when no logger is given: components stay silent rather than printing to stdout. */
export const noopLogger: ComponentLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
