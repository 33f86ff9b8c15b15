import { basename, dirname } from 'node:path';
import { Low } from 'lowdb';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import { AtomicJsonFile, StateContentError, type StateFileAdapter } from './json-state-file.js';
import { setAside } from './set-aside.js';
import { mkdirOwned } from './state-owner.js';

/**
 * A few kilobytes of convenient state in a JSON file under the state directory (console acks and
 * test alarms, remote command ids). Convenient, not vital: nothing here may stop a start or end
 * the process, so nothing here rejects or throws for a file problem.
 *
 * - open: a missing file starts from the defaults. An empty, truncated, non-JSON or invalid file
 *   is moved aside (`<file>.unreadable-<time>`, never deleted), the fault `state:<file>` is raised
 *   and the state starts from the defaults. A file that cannot be read at all (EACCES, EIO, a
 *   folder that is not there and cannot be made) leaves the state in memory only, for this run:
 *   the fault stays raised and nothing is written over a file that may hold good data.
 * - update: the change applies in memory at once, then the file is replaced atomically. Writes
 *   never overlap; changes made while one is in flight go out together in the next. A failed write
 *   (ENOSPC, EROFS, EIO) is logged, raises `state:<file>` and is retried on the next update or
 *   after a backoff (1 s doubling to 30 s); the next successful write clears the fault.
 */
export interface SmallStateOptions<T> {
  /** The state when there is no usable file; copied, never shared. */
  defaults: T;
  /** Checks a parsed file: the state to use (it may fill fields added since), or undefined if unusable. */
  validate?: (raw: unknown) => T | undefined;
  faults: FaultReporter;
  logger: Logger;
  /** The file access; tests substitute one that fails. Default: AtomicJsonFile(path). */
  adapter?: StateFileAdapter<T>;
  /** Backoff of write retries (default 1 s doubling to 30 s). */
  retryMs?: { first: number; max: number };
}

const RETRY = { first: 1000, max: 30_000 };

export class SmallState<T> {
  /** The fault key: `state:<file name>`. */
  readonly faultKey: string;
  private readonly db: Low<T>;
  private readonly file: string;
  private readonly log: Logger;
  private persist = true;
  private dirty = false;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private failing = false;
  private failures = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly options: SmallStateOptions<T>,
    private readonly adapter: StateFileAdapter<T>,
  ) {
    this.file = basename(path);
    this.faultKey = `state:${this.file}`;
    this.log = options.logger;
    this.db = new Low<T>(adapter, structuredClone(options.defaults));
    this.retryDelay = (options.retryMs ?? RETRY).first;
  }

  static async open<T>(path: string, options: SmallStateOptions<T>): Promise<SmallState<T>> {
    const state = SmallState.create(path, options);
    let read: ReadResult<T>;
    try {
      read = { ok: true, value: await state.adapter.read() };
    } catch (err) {
      read = { ok: false, err };
    }
    state.load(read);
    return state;
  }

  /** The same for callers built synchronously (a few kilobytes: the read is short). */
  static openSync<T>(path: string, options: SmallStateOptions<T>): SmallState<T> {
    const state = SmallState.create(path, options);
    let read: ReadResult<T>;
    try {
      read = { ok: true, value: state.adapter.readSync() };
    } catch (err) {
      read = { ok: false, err };
    }
    state.load(read);
    return state;
  }

  private static create<T>(path: string, options: SmallStateOptions<T>): SmallState<T> {
    try {
      mkdirOwned(dirname(path), 0o700);
    } catch {
      // The read or the first write reports it, with the file's name.
    }
    return new SmallState(path, options, options.adapter ?? new AtomicJsonFile<T>(path));
  }

  /** The current state (read-only: change it with update). */
  get data(): Readonly<T> {
    return this.db.data;
  }

  /** False when the file could not be read at start: the state lives in memory for this run. */
  get persistent(): boolean {
    return this.persist;
  }

  /** Writes that failed since start. */
  writeFailures(): number {
    return this.failures;
  }

  /**
   * Applies `mutate` to the state now and saves it. Resolves when the write that carries the
   * change has been tried (it never rejects; a failure is logged, raised as a fault and retried).
   */
  update(mutate: (data: T) => void): Promise<void> {
    try {
      mutate(this.db.data);
    } catch (err) {
      this.log.error({ err, file: this.path }, 'small state: a change failed and was not saved (a bug)');
      return Promise.resolve();
    }
    if (!this.persist) return Promise.resolve();
    this.dirty = true;
    return this.schedule();
  }

  /** Resolves once nothing is being written or waiting to be (never rejects). */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined || this.queued !== undefined) await (this.queued ?? this.inFlight);
  }

  /** Stops retrying in the background and waits for the write in flight. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.flush();
  }

  private load(read: ReadResult<T>): void {
    if (!read.ok) {
      if (read.err instanceof StateContentError) this.setAside(read.err.message);
      else this.memoryOnly(read.err);
      return;
    }
    if (read.value === null) return; // no file yet: the defaults
    const valid = this.options.validate ? this.options.validate(read.value) : read.value;
    if (valid === undefined) this.setAside('the content does not have the expected shape');
    else this.db.data = valid;
  }

  private setAside(reason: string): void {
    let moved: string;
    try {
      moved = setAside(this.path);
    } catch (err) {
      this.memoryOnly(err, reason);
      return;
    }
    const message = `${this.file} was unreadable (${reason}): moved aside to ${basename(moved)}, started from defaults`;
    this.log.warn({ file: this.path, movedTo: moved, reason }, `small state: ${message}`);
    this.options.faults.raise(this.faultKey, message, { severity: 'minor' });
  }

  private memoryOnly(err: unknown, reason?: string): void {
    this.persist = false;
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    const why = reason === undefined ? `cannot read it (${code})` : `${reason}, and cannot move it aside (${code})`;
    const message = `${this.file}: ${why}; running on defaults in memory, changes are not saved until ${dirname(this.path)} is readable and writable and hearth restarts`;
    this.log.error({ file: this.path, code, err }, `small state: ${message}`);
    this.options.faults.raise(this.faultKey, message, { severity: 'minor' });
  }

  /** One write at a time; changes made meanwhile ride on the next one. */
  private schedule(): Promise<void> {
    if (this.inFlight === undefined) {
      this.inFlight = this.writeNow().finally(() => (this.inFlight = undefined));
      return this.inFlight;
    }
    this.queued ??= this.inFlight.then(() => {
      this.queued = undefined;
      return this.schedule();
    });
    return this.queued;
  }

  private async writeNow(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    try {
      await this.db.write();
    } catch (err) {
      this.writeFailed(err);
      return;
    }
    this.retryDelay = (this.options.retryMs ?? RETRY).first;
    if (this.failing) this.log.info({ file: this.path }, 'small state: written again');
    this.failing = false;
    this.options.faults.clear(this.faultKey, `${this.file} is written again`);
  }

  private writeFailed(err: unknown): void {
    this.dirty = true;
    this.failures += 1;
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    const message = `${this.file} cannot be written (${code}): changes are kept in memory and retried`;
    // The first failure of a run of them at error; the retries at debug, so a full disk does not flood the journal.
    if (!this.failing) this.log.error({ file: this.path, code, err }, `small state: ${message}`);
    else this.log.debug({ file: this.path, code, failures: this.failures }, 'small state: write retry failed');
    this.failing = true;
    this.options.faults.raise(this.faultKey, message, { severity: 'minor' });
    if (this.closed) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(delay * 2, (this.options.retryMs ?? RETRY).max);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // schedule() settles and never rejects (writeNow catches); the catch is belt and braces.
      this.schedule().catch((e: unknown) => this.log.error({ err: e, file: this.path }, 'small state: retry failed unexpectedly'));
    }, delay);
    this.retryTimer.unref();
  }
}

type ReadResult<T> = { ok: true; value: T | null } | { ok: false; err: unknown };
