/**
 * Exit codes of the `hearth` command (sysexits.h where one fits, so systemd units and scripts can
 * tell a bad config from a crash):
 *   0  success
 *   1  unexpected failure (a bug, e.g. an uncaught exception: systemd restarts the service)
 *   64 usage error (unknown command or flag)
 *   69 a needed service is unavailable (e.g. a port is in use)
 *   74 storage failure: the outbox could not be opened at start (systemd restarts the service)
 *   75 restart requested (remote command or remote config; systemd starts the service again)
 *   78 configuration error: the file is missing or invalid (systemd does not restart: fix the file)
 */
export { EXIT_CONFIG, EXIT_IOERR, EXIT_USAGE } from '../errors.js';
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_UNAVAILABLE = 69;
export const EXIT_RESTART = 75;
