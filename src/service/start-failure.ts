import type { HearthConfig } from '../config/types.js';

export interface StartFailure {
  /** Something this process needs (a port) is taken or not allowed: exit EX_UNAVAILABLE (69). */
  kind: 'unavailable';
  /** The cause and the fix, for a person: "port 1883 is in use (...): stop it, or set demo.brokerPort in ...". */
  message: string;
}

/**
 * A start that failed for a reason a person can fix, explained with what to change; undefined
 * for anything else (the caller reports it as an unexpected failure). Branches on error codes.
 * A port in use is `unavailable` (the run command exits 69): systemd restarts the service, which
 * starts once the port is free.
 */
export function explainStartFailure(err: unknown, config: HearthConfig): StartFailure | undefined {
  const e = err as NodeJS.ErrnoException & { port?: unknown; address?: unknown };
  if (e === null || typeof e !== 'object' || (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') || e.syscall !== 'listen' || typeof e.port !== 'number') return undefined;
  const where = portOwner(e.port, config);
  const file = config.sourcePath ?? 'the configuration file';
  const fix = where ? `set ${where.key} in ${file}` : `change the port in ${file}`;
  const message =
    e.code === 'EADDRINUSE'
      ? `port ${e.port} is in use${where?.hint ? ` (${where.hint})` : ''}: stop it, or ${fix}`
      : `port ${e.port} needs privileges the service does not have: ${fix} (1024 or above)`;
  return { kind: 'unavailable', message };
}

/** Which config key asked for the port. */
function portOwner(port: number, config: HearthConfig): { key: string; hint?: string } | undefined {
  const demo = config.demo;
  if (config.platform.kind === 'embedded') {
    const brokerPort = demo?.brokerPort ?? (Number(new URL(config.platform.url).port) || 1883);
    if (port === brokerPort) return { key: demo?.brokerPort !== undefined ? 'demo.brokerPort' : 'platform.url', hint: 'another MQTT broker?' };
  }
  const sim = demo?.simulators.findIndex((s) => s.port === port) ?? -1;
  if (sim >= 0) return { key: `demo.simulators[${sim}].port`, hint: 'another hearth demo?' };
  const reader = demo?.tagReaders?.findIndex((r) => r.port === port) ?? -1;
  if (reader >= 0) return { key: `demo.tagReaders[${reader}].port`, hint: 'another hearth demo?' };
  if (config.api.enabled && config.api.port === port) return { key: 'api.port' };
  return undefined;
}
