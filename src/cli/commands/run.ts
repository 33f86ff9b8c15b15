import type { Command } from '../command.js';
import { DEFAULT_CONFIG } from '../defaults.js';
import { EXIT_USAGE, EXIT_FAILURE, EXIT_RESTART, EXIT_UNAVAILABLE } from '../exit-codes.js';
import { loadWithRemoteRecovery, markStoppedCleanly } from '../../remote/startup.js';
import { loadConfigWithProfiles } from '../../config/load.js';
import { createLogger } from '../../log/logger.js';
import { Daemon } from '../../daemon.js';
import { reportError } from '../report-error.js';
import { SystemdService } from '../../service/systemd-service.js';
import { stallAfterMs } from '../../service/poll-health.js';
import { installProcessFaultHandlers } from '../../service/process-faults.js';
import { RestartGate } from '../../service/restart-gate.js';
import { explainStartFailure } from '../../service/start-failure.js';
import { parseCommandArgs } from '../parse-command-args.js';

const USAGE = `Usage: hearth run [--config FILE] [--log-level LEVEL]

Runs the gateway until SIGTERM or SIGINT (a second signal exits at once). Logs go to stdout (JSON
for journald, readable on a terminal). Under systemd (Type=notify) it reports READY=1 once the
outbox and the buses are open, pings the watchdog while the event loop and polling are healthy,
and stops within 10 s of SIGTERM. A restart asked for remotely waits while a fire alarm is active.
Exit codes: 0 stopped cleanly, 1 an uncaught exception (a bug; outputs were driven safe first),
69 a port it needs is in use (the message names the config key), 74 the outbox could not be
opened at start, 75 restart requested remotely, 78 configuration error.

  --config FILE      configuration file (default ${DEFAULT_CONFIG}); 'npm start' uses config/demo.yaml
  --log-level LEVEL  trace | debug | info | warn | error (overrides log.level)`;

/** Bounded shutdown: systemd's TimeoutStopSec is 15 s; finish well inside it. */
const STOP_DEADLINE_MS = 10_000;
/** After an uncaught exception: drive the outputs safe and go, quickly. */
const FATAL_STOP_DEADLINE_MS = 5000;
/** A failed start has already stopped what it started; this bounds what is left. */
const FAILED_START_DEADLINE_MS = 5000;
/** After a clean stop the process should end by itself; if a stray handle keeps it alive, end it. */
const EXIT_GRACE_MS = 3000;

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

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
      /** The code a stop or a failed start already settled on (a second signal exits with it). */
      let pendingCode: number | undefined;
      let starting: Promise<unknown> = Promise.resolve();
      const finish = (code: number): void => {
        setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
        resolve(code);
      };
      const shutdown = async (code: number, why: string, deadlineMs = STOP_DEADLINE_MS): Promise<void> => {
        if (stopping) return;
        stopping = true;
        pendingCode = code;
        gate.cancel();
        service.stopping(why);
        logger.info({ why }, 'stopping');
        const deadline = setTimeout(() => {
          logger.error({ deadlineMs }, 'stop took too long; exiting');
          process.exit(code || EXIT_FAILURE);
        }, deadlineMs);
        deadline.unref();
        // A signal during start: let start finish (or fail) first, so nothing starts after the stop.
        await starting.catch(() => undefined);
        await daemon.stop();
        await service.close();
        // A stop by signal or by the gateway's own restart is orderly; a failure's is not (src/remote/startup.ts).
        if (code === 0 || code === EXIT_RESTART) markStoppedCleanly(config.sourcePath ?? values.config ?? DEFAULT_CONFIG);
        clearTimeout(deadline);
        logger.info({ code }, 'stopped');
        finish(code);
      };
      const stop = (code: number, why: string, deadlineMs?: number): void => {
        shutdown(code, why, deadlineMs).catch((err: unknown) => {
          logger.fatal({ err }, 'stop failed; exiting');
          process.exit(code || EXIT_FAILURE);
        });
      };
      // A restart the platform asked for waits while a fire alarm is active; signals never wait.
      const gate = new RestartGate({
        activeFireAlarms: () => daemon.activeFireAlarms(),
        restart: (why) => stop(EXIT_RESTART, why),
        logger,
      });
      const daemon = new Daemon({
        config,
        profiles,
        logger,
        requestRestart: (why) => gate.request(why),
      });
      const service = new SystemdService({
        logger: logger.child({ component: 'service' }),
        progress: () => daemon.pollProgress(),
        stallAfterMs: stallAfterMs(config),
        mono: () => daemon.clock.mono(),
      });
      // `on`, not `once`: a second signal must be heard. The first stops in order (outputs safe,
      // batch committed, offline status sent); the second, or any during a failed start, exits now.
      const onSignal = (signal: NodeJS.Signals): void => {
        if (!stopping) {
          stop(0, signal);
          return;
        }
        logger.warn({ signal }, 'signal while stopping: exiting now');
        process.exit(pendingCode || SIGNAL_EXIT[signal] || EXIT_FAILURE);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      installProcessFaultHandlers({
        logger,
        onUncaughtException: () => {
          if (stopping) {
            logger.fatal('uncaught exception while stopping: exiting now');
            process.exit(EXIT_FAILURE);
          }
          stop(EXIT_FAILURE, 'uncaught exception', FATAL_STOP_DEADLINE_MS);
        },
      });
      const failedStart = async (err: unknown): Promise<void> => {
        // Daemon.start() has stopped what it started. Name the cause and the fix.
        const explained = explainStartFailure(err, config);
        let code: number;
        if (explained) {
          code = EXIT_UNAVAILABLE;
          logger.fatal({ err, code }, `start failed: ${explained.message}`);
          process.stderr.write(`hearth: ${explained.message}\n`);
        } else {
          logger.fatal({ err }, 'start failed');
          code = reportError(err);
        }
        if (stopping) return; // a signal's stop is under way and resolves
        stopping = true;
        pendingCode = code;
        const deadline = setTimeout(() => process.exit(code), FAILED_START_DEADLINE_MS);
        deadline.unref();
        await service.close();
        clearTimeout(deadline);
        finish(code);
      };
      starting = daemon.start().then(
        () => {
          if (!stopping) service.ready(`running: ${config.devices.filter((d) => d.enabled).length} devices, gateway ${config.gateway.id}`);
        },
        (err: unknown) =>
          failedStart(err).catch((e: unknown) => {
            logger.fatal({ err: e }, 'failed start could not be reported; exiting');
            process.exit(EXIT_FAILURE);
          }),
      );
    });
  },
};
