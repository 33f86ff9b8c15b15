import { parseArgs } from 'node:util';
import type { Command } from '../index.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_IOERR, EXIT_FAILURE } from '../exit-codes.js';
import { loadConfigWithProfiles } from '../../config/load.js';
import { createLogger } from '../../log/logger.js';
import { Daemon } from '../../daemon.js';
import { reportError } from '../report-error.js';

const USAGE = `Usage: hearth run [--config FILE] [--log-level LEVEL]

Runs the gateway until SIGTERM or SIGINT. Logs go to stdout (JSON for journald, readable on a terminal).

  --config FILE      configuration file (default ${DEFAULT_CONFIG}); 'npm start' uses config/demo.yaml
  --log-level LEVEL  trace | debug | info | warn | error (overrides log.level)`;

/** Bounded shutdown: systemd's TimeoutStopSec is 15 s; finish well inside it. */
const STOP_DEADLINE_MS = 10_000;

export const runCommand: Command = {
  summary: 'run the gateway (the daemon)',
  usage: USAGE,
  async run(args) {
    let values;
    try {
      values = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' } } }).values;
    } catch (err) {
      process.stderr.write(`hearth run: ${(err as Error).message}\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    let loaded;
    try {
      loaded = await loadConfigWithProfiles(values.config ?? DEFAULT_CONFIG);
    } catch (err) {
      return reportError(err);
    }
    const { config, profiles } = loaded;
    const level = (values['log-level'] as typeof config.log.level | undefined) ?? config.log.level;
    const logger = createLogger({ level, format: config.log.format });

    return new Promise<number>((resolve) => {
      let stopping = false;
      const shutdown = async (code: number, why: string): Promise<void> => {
        if (stopping) return;
        stopping = true;
        logger.info({ why }, 'stopping');
        const deadline = setTimeout(() => {
          logger.error({ deadlineMs: STOP_DEADLINE_MS }, 'stop took too long; exiting');
          process.exit(code || EXIT_FAILURE);
        }, STOP_DEADLINE_MS);
        deadline.unref();
        await daemon.stop();
        clearTimeout(deadline);
        logger.info({ code }, 'stopped');
        resolve(code);
      };
      const daemon = new Daemon({
        config,
        profiles,
        logger,
        // A failed write or fsync is never "retry and continue": exit, systemd restarts us, and
        // the outbox reopens from what is durably on disk.
        onFatal: (err) => {
          logger.fatal({ err }, 'storage failure');
          process.exitCode = EXIT_IOERR;
          void shutdown(EXIT_IOERR, 'storage failure');
        },
      });
      process.once('SIGTERM', () => void shutdown(0, 'SIGTERM'));
      process.once('SIGINT', () => void shutdown(0, 'SIGINT'));
      process.on('unhandledRejection', (reason) => {
        logger.fatal({ err: reason }, 'unhandled rejection (a bug); exiting so systemd restarts the service');
        void shutdown(EXIT_FAILURE, 'unhandled rejection');
      });
      daemon.start().catch((err: unknown) => {
        logger.fatal({ err }, 'start failed');
        stopping = true;
        resolve(reportError(err));
      });
    });
  },
};
