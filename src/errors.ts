/**
 * Typed errors with stable codes. Retry logic and exit codes branch on `code`, never on message text.
 */
export class HearthError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** sysexits.h EX_CONFIG: systemd's RestartPreventExitStatus=78 stops a restart loop on bad config. */
export const EXIT_CONFIG = 78;
/** sysexits.h EX_IOERR: storage failures end the process; systemd restarts it. */
export const EXIT_IOERR = 74;
/** sysexits.h EX_USAGE: bad command line. */
export const EXIT_USAGE = 64;
