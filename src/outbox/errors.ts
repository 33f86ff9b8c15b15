import Database from 'better-sqlite3';
import { EXIT_IOERR, HearthError } from '../errors.js';

/**
 * The outbox could not write or sync its file (SQLITE_IOERR, SQLITE_FULL, SQLITE_CORRUPT, a failed
 * open...). Never retried: after a failed fsync the page cache may claim data the disk does not
 * hold, so the only honest recovery is to exit (EXIT_IOERR) and let systemd restart the daemon,
 * which re-reads what is really on disk.
 */
export class OutboxStorageError extends HearthError {
  readonly exitCode = EXIT_IOERR;
  constructor(
    readonly operation: string,
    /** SQLite's extended code (`SQLITE_IOERR_FSYNC`) or the errno code (`ENOSPC`), if known. */
    readonly storageCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super('OUTBOX_STORAGE', `outbox ${operation} failed${storageCode ? ` (${storageCode})` : ''}`, options);
  }
}

/** Errors that come from the storage layer, as opposed to programming errors (a bad argument). */
export function isStorageFailure(err: unknown): boolean {
  if (err instanceof Database.SqliteError) return true;
  const errno = err as NodeJS.ErrnoException | undefined;
  return typeof errno?.code === 'string' && typeof errno.syscall === 'string';
}

export function toStorageError(operation: string, err: unknown): OutboxStorageError {
  if (err instanceof OutboxStorageError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  return new OutboxStorageError(operation, typeof code === 'string' ? code : undefined, { cause: err });
}
