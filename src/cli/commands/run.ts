import type { Command } from '../index.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_IOERR, EXIT_FAILURE, EXIT_RESTART } from '../exit-codes.js';
import { loadWithRemoteRecovery } from '../../remote/startup.js';
import { loadConfigWithProfiles } from '../../config/load.js';
import { createLogger } from '../../log/logger.js';
import { Daemon } from '../../daemon.js';
import { reportError } from '../report-error.js';
import { SystemdService } from '../../service/systemd-service.js';
import { stallAfterMs } from '../../service/poll-health.js';
import { parseCommandArgs } from '../parse-command-args.js';

const USAGE = `Usage: hearth run [--config FILE] [--log-level LEVEL]

Runs the gateway until SIGTERM or SIGINT. Logs go to stdout (JSON for journald, readable on a terminal).
Under systemd (Type=notify) it reports READY=1 once the outbox and the buses are open, pings the
watchdog while the event loop and polling are healthy, and stops within 10 s of SIGTERM.
Exit codes: 0 stopped cleanly, 1 unexpected failure, 74 storage failure, 78 configuration error.

  --config FILE      configuration file (default ${DEFAULT_CONFIG}); 'npm start' uses config/demo.yaml
  --log-level LEVEL  trace | debug | info | warn | error (overrides log.level)`;

/** Bounded shutdown: systemd's TimeoutStopSec is 15 s; finish well inside it. */
const STOP_DEADLINE_MS = 10_000;
/** After a clean stop the process should end by itself; if a stray handle keeps it alive, end it. */
const EXIT_GRACE_MS = 3000;

export const runCommand: Command = {
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs('run', USAGE, { args, options: { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' } } });
    if (parsed === undefined) return EXIT_USAGE;
    const { values } = parsed;
    let loaded;
    try {
      // Finishes or rolls back a remote config change a restart or crash interrupted (src/remote/).
      loaded = await loadWithRemoteRecovery(values.config ?? DEFAULT_CONFIG, loadConfigWithProfiles);
    } catch (err) {
      return reportError(err);
    }
    const { config, profiles } = loaded;
    const level = (values['log-level'] as typeof config.log.level | undefined) ?? config.log.level;
    const logger = createLogger({ level, format: config.log.format });

    return new Promise<number>((resolve) => {
      let stopping = false;
      let starting: Promise<unknown> = Promise.resolve();
      const shutdown = async (code: number, why: string): Promise<void> => {
        if (stopping) return;
        stopping = true;
        service.stopping(why);
        logger.info({ why }, 'stopping');
        const deadline = setTimeout(() => {
          logger.error({ deadlineMs: STOP_DEADLINE_MS }, 'stop took too long; exiting');
          process.exit(code || EXIT_FAILURE);
        }, STOP_DEADLINE_MS);
        deadline.unref();
        // A signal during start: let start finish (or fail) first, so nothing starts after the stop.
        await starting.catch(() => undefined);
        await daemon.stop();
        await service.close();
        clearTimeout(deadline);
        logger.info({ code }, 'stopped');
        setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
        resolve(code);
      };
      const daemon = new Daemon({
        config,
        profiles,
        logger,
        requestRestart: (why) => void shutdown(EXIT_RESTART, why),
      });
      const service = new SystemdService({
        logger: logger.child({ component: 'service' }),
        progress: () => daemon.pollProgress(),
        stallAfterMs: stallAfterMs(config),
        mono: () => daemon.clock.mono(),
      });
      process.once('SIGTERM', () => void shutdown(0, 'SIGTERM'));
      process.once('SIGINT', () => void shutdown(0, 'SIGINT'));
      process.on('unhandledRejection', (reason) => {
        logger.fatal({ err: reason }, 'unhandled rejection (a bug); exiting so systemd restarts the service');
        void shutdown(EXIT_FAILURE, 'unhandled rejection');
      });
      starting = daemon.start().then(
        () => {
          if (!stopping) service.ready(`running: ${config.devices.filter((d) => d.enabled).length} devices, gateway ${config.gateway.id}`);
        },
        async (err: unknown) => {
          logger.fatal({ err }, 'start failed');
          if (stopping) return; // a shutdown is already under way and resolves
          stopping = true;
          await service.close();
          resolve(reportError(err));
        },
      );
    });
  },
};
