import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigStore } from './config-store.js';

/**
 * Loads the config at startup after settling a remote change: an expired probation is rolled back
 * first, and a config on probation that does not even load is rolled back at once (the last good
 * one is loaded instead) rather than leaving the gateway down until the deadline.
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
  try {
    return await load(path);
  } catch (err) {
    if (recovery.state !== 'pending') throw err;
    process.stderr.write(`hearth: remote config ${recovery.pending.version} does not load; rolled back to ${recovery.pending.previousVersion}\n`);
    store.rollback();
    return load(path);
  }
}
