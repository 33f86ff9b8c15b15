import { loadConfigWithProfiles } from '../../../src/config/load.js';
import { Daemon } from '../../../src/daemon.js';
import { createLogger } from '../../../src/log/logger.js';

/**
 * The real gateway in a process of its own, for the footprint bench: loads the config file it is
 * given (with the log level written there, on stderr), starts the daemon, says `ready` over IPC and
 * stops cleanly on `stop`. Its CPU, memory and storage writes are then its own, read from /proc.
 * Usage: fork(hearth-child.js, [<hearth.yaml>])
 */
const file = process.argv[2]!;
const { config, profiles } = await loadConfigWithProfiles(file);
const daemon = new Daemon({ config, profiles, logger: createLogger(config.log, process.stderr) });
await daemon.start();
process.send?.('ready');
process.on('message', (msg) => {
  if (msg !== 'stop') return;
  daemon
    .stop()
    .catch((err: unknown) => process.stderr.write(`hearth child: stop failed: ${String(err)}\n`))
    .finally(() => process.exit(0));
});
// The parent going away (bench killed) ends this process too.
process.on('disconnect', () => process.exit(0));
