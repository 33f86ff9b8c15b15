import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { HearthError } from '../errors.js';
import { writeFileAtomicAsync } from './atomic-file.js';

/** Why a state file's content cannot be used (file system errors keep their own errno codes). */
export type StateContentCode = 'STATE_EMPTY' | 'STATE_NOT_JSON' | 'STATE_INVALID';

export class StateContentError extends HearthError {
  constructor(
    code: StateContentCode,
    readonly path: string,
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * A lowdb adapter (read/write) for a small JSON state file, written with the one atomic writer
 * (temp file, fsync, rename, fsync folder). `readSync` serves callers that are built synchronously.
 * Reads return null when the file does not exist, throw StateContentError for an empty or
 * non-JSON file, and pass file system errors (EACCES, EIO, ...) through unchanged.
 */
export interface StateFileAdapter<T> extends Adapter<T> {
  readonly path: string;
  readSync(): T | null;
}

export class AtomicJsonFile<T> implements StateFileAdapter<T> {
  constructor(
    readonly path: string,
    private readonly mode = 0o640,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return this.parse(text);
  }

  readSync(): T | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return this.parse(text);
  }

  write(data: T): Promise<void> {
    return writeFileAtomicAsync(this.path, JSON.stringify(data), this.mode);
  }

  private parse(text: string): T {
    if (text.trim() === '') throw new StateContentError('STATE_EMPTY', this.path, 'the file is empty');
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new StateContentError('STATE_NOT_JSON', this.path, `not JSON (truncated?): ${(err as Error).message}`);
    }
  }
}
