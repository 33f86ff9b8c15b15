import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { HearthError } from '../errors.js';
import { buildApi, DEFAULT_FAILURES } from './app.js';
import { DaemonPort, type DaemonParts } from './daemon-port.js';
import { ConsoleState } from './local-state.js';
import { TokenStore, tokenPath } from './token.js';

const LISTEN_RETRY_MS = 10_000;

/**
 * The API as a daemon component: token (made on first start), console state, the port over the
 * daemon's parts, then listen on the configured address. Started after the devices, stopped first.
 */
export class ApiServer {
  private app: FastifyInstance | undefined;
  private port: DaemonPort | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly parts: DaemonParts) {}

  async start(): Promise<void> {
    const { config, logger } = this.parts;
    const api = config.api;
    const log = logger.child({ component: 'api' });
    const tokens = new TokenStore(config.gateway.stateDir);
    const state = await ConsoleState.open(config.gateway.stateDir);
    this.port = new DaemonPort({ ...this.parts, logger: log }, state);
    this.port.attach();
    let https: { cert: Buffer; key: Buffer } | undefined;
    if (api.tls?.cert !== undefined && api.tls.key !== undefined) {
      try {
        https = { cert: readFileSync(api.tls.cert), key: readFileSync(api.tls.key) };
      } catch (err) {
        throw new HearthError('API_TLS_FILES', `api.tls: cannot read certificate or key: ${(err as Error).message}`, { cause: err });
      }
    }
    this.app = await buildApi({
      port: this.port,
      tokens,
      logger: log,
      sessionTtlMs: (api.sessionTtlMinutes ?? 480) * 60_000,
      failures: { max: api.maxFailedLogins ?? DEFAULT_FAILURES.max, windowMs: DEFAULT_FAILURES.windowMs },
      ...(https ? { https } : {}),
    });
    const scheme = https ? 'https' : 'http';
    const shown = api.host === '0.0.0.0' || api.host === '::' ? 'localhost' : api.host;
    // The console is not needed to detect or forward alarms: if its port is taken, the gateway
    // runs on without it and keeps trying to bind, rather than refusing to start.
    const listen = async (): Promise<void> => {
      const app = this.app;
      if (app === undefined) return;
      try {
        await app.listen({ host: api.host, port: api.port });
        log.info({ url: `${scheme}://${shown}:${this.boundPort()}/`, tokenFile: tokenPath(config.gateway.stateDir) }, 'console and API listening (log in with the token: hearth token)');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL' && code !== 'EACCES') throw err;
        log.error({ host: api.host, port: api.port, code }, `console and API cannot listen; retrying every ${LISTEN_RETRY_MS / 1000} s`);
        this.retry = setTimeout(() => void listen().catch((e: unknown) => log.error({ err: e }, 'api listen failed')), LISTEN_RETRY_MS);
        this.retry.unref();
      }
    };
    await listen();
  }

  /** The gateway as the console sees it (alarm acks, outputs, report), for remote commands; undefined before start. */
  gatewayPort(): DaemonPort | undefined {
    return this.port;
  }

  /** The port actually bound (differs from the config when it asked for 0). */
  boundPort(): number {
    const addr = this.app?.server.address();
    return addr !== null && typeof addr === 'object' ? addr.port : this.parts.config.api.port;
  }

  async stop(): Promise<void> {
    clearTimeout(this.retry);
    this.port?.detach();
    await this.app?.close();
    this.app = undefined;
  }
}
