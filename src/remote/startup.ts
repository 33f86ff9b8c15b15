import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigStore } from './config-store.js';

/**
 * Records that the gateway stopped in order, so a config on probation is not taken for one that
 * crashed (see PendingChange.started). Never throws: the worst case is one needless rollback.
 */
export function markStoppedCleanly(path: string): void {
  try {
    const abs = resolve(path);
    if (existsSync(abs)) new ConfigStore(abs).stoppedCleanly();
  } catch (err) {
    process.stderr.write(`hearth: cannot record the clean stop for a remote config on probation: ${(err as Error).message}\n`);
  }
}

/**
 * Loads the config at startup after settling a remote change: an expired probation is rolled back
 * first, and a config on probation that does not even load is rolled back at once (the last good
 * one is loaded instead) rather than leaving the gateway down until the deadline, and so is one
 * whose previous start crashed or failed (a crash loop must not outrun the deadline).
 */
export async function loadWithRemoteRecovery<T>(path: string, load: (path: string) => Promise<T>, now = Date.now()): Promise<T> {
  const abs = resolve(path);
  if (!existsSync(abs)) return load(path);
  const store = new ConfigStore(abs);
  let recovery;
  try {
    recovery = store.recover(now);
  } catch (err) {
    process.stderr.write(`hearth: cannot settle a remote config change: ${(err as Error).message}\n`);
    return load(path);
  }
  if (recovery.state === 'rolled-back') process.stderr.write(`hearth: remote config ${recovery.pending.version} did not reach the platform in time; rolled back to ${recovery.pending.previousVersion}\n`);
  if (recovery.state === 'failed-start') process.stderr.write(`hearth: the last start on remote config ${recovery.pending.version} crashed or failed; rolled back to ${recovery.pending.previousVersion}\n`);
  try {
    return await load(path);
  } catch (err) {
    if (recovery.state !== 'pending') throw err;
    process.stderr.write(`hearth: remote config ${recovery.pending.version} does not load; rolled back to ${recovery.pending.previousVersion}\n`);
    store.rollback();
    return load(path);
  }
}
