import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { HearthError } from '../../errors.js';
import { ignoreFaults, type FaultReporter } from '../../faults/gateway-faults.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { setAside } from '../../storage/set-aside.js';
import { readUsers, USERS_FAULT, USERS_FILE, usersPath, type ApiUser } from './user-file.js';

export interface UserStoreOptions {
  faults?: FaultReporter;
  logger?: Logger;
}

/**
 * The daemon's view of `api-users.json`, re-read when the file changes (checked at most every
 * `recheckMs`, by mtime, size and inode: `hearth user ...` replaces the file by rename), so a user
 * added, rotated or revoked on the command line counts at once. Never throws: a garbage file is
 * moved aside with the fault `state:api-users.json` (its users cannot log in until they are added
 * again, the built-in administrator token still works); a file that cannot be read keeps the users
 * last read, with the same fault.
 */
export class UserStore {
  private users: ApiUser[] = [];
  private byHash = new Map<string, ApiUser>();
  private stamp = '';
  private checkedAt = -Infinity;
  private readonly faults: FaultReporter;
  private readonly log: Logger;

  constructor(
    readonly stateDir: string,
    private readonly recheckMs = 1000,
    options: UserStoreOptions = {},
  ) {
    this.faults = options.faults ?? ignoreFaults;
    this.log = options.logger ?? silentLogger();
    this.refresh();
  }

  /** The user whose token has this SHA-256 (hex), if any. */
  find(hash: string): ApiUser | undefined {
    this.refresh();
    return this.byHash.get(hash);
  }

  list(): readonly ApiUser[] {
    this.refresh();
    return this.users;
  }

  /** Re-reads the file if it changed and the last check is older than recheckMs (force: now). */
  refresh(force = false): void {
    const now = Date.now();
    if (!force && now - this.checkedAt < this.recheckMs) return;
    this.checkedAt = now;
    const stamp = this.fileStamp();
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    this.load();
  }

  private load(): void {
    const file = usersPath(this.stateDir);
    try {
      this.set(readUsers(this.stateDir));
      this.faults.clear(USERS_FAULT, `${USERS_FILE} is readable`);
    } catch (err) {
      if (err instanceof HearthError) {
        this.set([]);
        let moved = '';
        try {
          moved = basename(setAside(file));
        } catch (moveErr) {
          this.log.error({ err: moveErr, file }, `api: ${USERS_FILE} is unusable and cannot be moved aside`);
        }
        const message = `${USERS_FILE} was unusable (${err.message})${moved ? `: moved aside to ${moved}` : ''}; add the users again (hearth user add); the administrator token still works`;
        this.log.warn({ file, movedTo: moved }, `api: ${message}`);
        this.faults.raise(USERS_FAULT, message, { severity: 'minor' });
        this.stamp = this.fileStamp();
        return;
      }
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
      this.log.error({ err, file }, `api: cannot read ${USERS_FILE} (${code}); keeping the users last read`);
      this.faults.raise(USERS_FAULT, `${USERS_FILE} cannot be read (${code})`, { severity: 'minor' });
    }
  }

  private set(users: ApiUser[]): void {
    this.users = users;
    this.byHash = new Map(users.map((u) => [u.tokenHash, u]));
  }

  private fileStamp(): string {
    try {
      const st = statSync(usersPath(this.stateDir));
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return 'none';
    }
  }
}
