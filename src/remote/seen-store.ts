import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ignoreFaults, type FaultReporter } from '../faults/gateway-faults.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { setAside } from '../storage/set-aside.js';

/**
 * Which signed messages the gateway has already run, so a copy (under any request id) is refused,
 * also after the restart a command may itself cause. A fixed ring of slots in one file: each slot
 * is the message digest (32 bytes) and until when it matters (8 bytes, ms). Remembering one
 * message writes one 40-byte slot and syncs it, so the cost per command never grows with the
 * history (the JSON file this replaces was rewritten whole on every command).
 *
 * A slot is reused only once its entry has expired: when every slot still matters, `remember`
 * says `full` and the caller refuses the command; the rate limit keeps that from happening
 * (capacity is sized above rate × window). The file is convenient, not vital: unreadable, it is set
 * aside with a fault and the store starts empty (the time window still bounds replays); a failed
 * write is a fault and the digest is still remembered for this run.
 */
export const SEEN_FILE = 'remote-seen.bin';
/** What earlier versions kept (ids, rewritten whole): removed at open. */
const LEGACY_FILE = 'remote-seen.json';
const SLOT = 40;
export const SEEN_FAULT = `state:${SEEN_FILE}`;

export interface SeenStoreOptions {
  capacity?: number;
  faults?: FaultReporter;
  logger?: Logger;
}

export class SeenStore {
  readonly path: string;
  readonly capacity: number;
  private readonly bySlot: ({ digest: string; until: number } | undefined)[];
  private readonly slotOf = new Map<string, number>();
  private next = 0;
  private file: FileHandle | undefined;
  private opening: Promise<FileHandle | undefined> | undefined;
  private readonly faults: FaultReporter;
  private readonly log: Logger;
  /** Slot writes done (the cost per command is one). */
  writes = 0;

  constructor(stateDir: string, options: SeenStoreOptions = {}) {
    this.path = join(stateDir, SEEN_FILE);
    this.capacity = options.capacity ?? 4096;
    this.faults = options.faults ?? ignoreFaults;
    this.log = options.logger ?? silentLogger();
    this.bySlot = new Array(this.capacity).fill(undefined);
    this.load(stateDir);
  }

  has(digest: string, now: number): boolean {
    const slot = this.slotOf.get(digest);
    return slot !== undefined && this.bySlot[slot]!.until > now;
  }

  /** Takes a slot for `digest` until `until` and writes it; `full` when no slot has expired. */
  async remember(digest: string, until: number, now: number): Promise<'ok' | 'full'> {
    const slot = this.freeSlot(now);
    if (slot === undefined) return 'full';
    const old = this.bySlot[slot];
    if (old !== undefined) this.slotOf.delete(old.digest);
    this.bySlot[slot] = { digest, until };
    this.slotOf.set(digest, slot);
    this.next = (slot + 1) % this.capacity;
    await this.write(slot, digest, until);
    return 'ok';
  }

  async close(): Promise<void> {
    const f = this.file ?? (await this.opening);
    this.file = undefined;
    await f?.close().catch(() => undefined);
  }

  private freeSlot(now: number): number | undefined {
    for (let i = 0; i < this.capacity; i++) {
      const slot = (this.next + i) % this.capacity;
      const e = this.bySlot[slot];
      if (e === undefined || e.until <= now) return slot;
    }
    return undefined;
  }

  private async write(slot: number, digest: string, until: number): Promise<void> {
    const buf = Buffer.alloc(SLOT);
    Buffer.from(digest, 'hex').copy(buf, 0, 0, 32);
    buf.writeDoubleLE(until, 32);
    try {
      const f = await this.handle();
      if (f === undefined) return;
      await f.write(buf, 0, SLOT, slot * SLOT);
      await f.datasync();
      this.writes++;
      this.faults.clear(SEEN_FAULT, `${SEEN_FILE} is written again`);
    } catch (err) {
      this.log.error({ err, file: this.path }, 'remote: cannot record a command as run; it is remembered until the next restart');
      this.faults.raise(SEEN_FAULT, `cannot write ${SEEN_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'}): replays are refused only until the next restart`, { severity: 'minor' });
      await this.file?.close().catch(() => undefined);
      this.file = undefined;
    }
  }

  private handle(): Promise<FileHandle | undefined> {
    if (this.file !== undefined) return Promise.resolve(this.file);
    this.opening ??= (async () => {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      // Read-write, created if missing, never truncated, and not O_APPEND (slots are written in place).
      const f = await open(this.path, constants.O_RDWR | constants.O_CREAT, 0o600);
      this.file = f;
      return f;
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private load(stateDir: string): void {
    try {
      unlinkSync(join(stateDir, LEGACY_FILE));
    } catch {
      // not there: nothing to migrate (ids of the old format are not digests of signed messages)
    }
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.unusable(err, false);
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size % SLOT !== 0 || size > this.capacity * SLOT * 4) throw Object.assign(new Error(`size ${size} is not whole slots`), { code: 'GARBAGE' });
      const buf = Buffer.alloc(size);
      readSync(fd, buf, 0, size, 0);
      let newest = -1;
      let newestUntil = -Infinity;
      for (let i = 0; i * SLOT < size && i < this.capacity; i++) {
        const until = buf.readDoubleLE(i * SLOT + 32);
        if (!Number.isFinite(until) || until <= 0) continue;
        const digest = buf.subarray(i * SLOT, i * SLOT + 32).toString('hex');
        this.bySlot[i] = { digest, until };
        this.slotOf.set(digest, i);
        if (until > newestUntil) [newest, newestUntil] = [i, until];
      }
      this.next = (newest + 1) % this.capacity;
    } catch (err) {
      closeSync(fd);
      this.unusable(err, true);
      return;
    }
    closeSync(fd);
  }

  private unusable(err: unknown, garbage: boolean): void {
    let moved = '';
    if (garbage) {
      try {
        moved = `; moved aside to ${basename(setAside(this.path))}`;
      } catch {
        // left where it is; the next write replaces the slots it touches
      }
    }
    this.log.warn({ err, file: this.path }, `remote: ${SEEN_FILE} unusable${moved}; starting with no memory of earlier commands (the time window still bounds replays)`);
    this.faults.raise(SEEN_FAULT, `${SEEN_FILE} was unusable${moved}`, { severity: 'minor' });
  }
}
